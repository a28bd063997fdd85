/**
 * `respond`: containment through the portal's own levers, against the emulator over loopback.
 * Dry runs send no write; `--yes` ends sessions and proves it from the audit trail; refusals
 * (a read-only key, the owner, oneself, admins) happen before anything is written; the key
 * never reaches output; responses are recorded next to their finding.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DocSpaceClient } from '../src/client/client.js';
import { run } from '../src/cli/run.js';
import type { EmulatorPerson } from '../src/emulator/data/people.js';
import { type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import { PermissionError } from '../src/errors/index.js';
import { findingTargets, respond, type ResponseRecord } from '../src/respond/index.js';
import { openStore } from '../src/store/index.js';
import { NOW } from './helpers/emulator-helpers.js';

const ADMIN_KEY = `sk-${'a'.repeat(64)}`;
const READ_KEY = `sk-${'c'.repeat(64)}`;

let emu: RunningEmulator;
let dir: string;
const clients: DocSpaceClient[] = [];

beforeAll(async () => {
  emu = await startEmulator({
    seed: 11,
    events: 300,
    now: NOW,
    extraKeys: [
      { key: ADMIN_KEY, role: 'admin', permissions: ['*:write'] },
      { key: READ_KEY, role: 'admin', permissions: ['*:read'] },
    ],
  });
  dir = mkdtempSync(join(tmpdir(), 'respond-test-'));
});

afterAll(async () => {
  for (const c of clients) await c.close();
  await emu.close();
  rmSync(dir, { recursive: true, force: true });
});

beforeEach(async () => {
  await fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' });
});

function client(apiKey = emu.apiKey, send?: (r: Request) => Promise<Response>): DocSpaceClient {
  const c = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey }, ...(send ? { send } : {}) });
  clients.push(c);
  return c;
}

/** Members who sign in with a password alone, one per test so they do not share state. */
const used = new Set<string>();
function freshMember(role: EmulatorPerson['role'] = 'user'): EmulatorPerson {
  const p = emu.state.people.find((m) => m.status === 1 && m.role === role && !m.tfaAppEnabled && !used.has(m.id))!;
  used.add(p.id);
  return p;
}

/** A sign-in through the emulator's real login endpoint: the session token and its login-event id. */
async function signIn(p: EmulatorPerson): Promise<{ token: string; eventId: number }> {
  const res = await fetch(`${emu.url}/api/2.0/authentication`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ userName: p.email, password: p.password }),
  });
  const token = ((await res.json()) as { response: { token: string } }).response.token;
  const eventId = emu.state.allEvents().find((e) => e.userId === p.id)!.id;
  return { token, eventId };
}

/** The status a session token gets on an ordinary read: 200 while it lives, 401 once ended. */
async function sessionStatus(token: string): Promise<number> {
  return (await fetch(`${emu.url}/api/2.0/people/@self`, { headers: { authorization: token } })).status;
}

async function writesSeen(): Promise<number> {
  const stats = (await (await fetch(`${emu.url}/__emulator/stats`)).json()) as { byMethod: Record<string, number> };
  return (stats.byMethod.PUT ?? 0) + (stats.byMethod.POST ?? 0) + (stats.byMethod.DELETE ?? 0);
}

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString('utf8');
    cb();
  }
}

async function cli(args: string[], apiKey = emu.apiKey) {
  const stdout = new Capture();
  const stderr = new Capture();
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: apiKey };
  const code = await run(args, { stdout, stderr, env });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

const noWait = async () => {};

describe('dry run (the default)', () => {
  it('prints the exact request and sends no write: the session still works', async () => {
    const m = freshMember();
    const { token } = await signIn(m);
    await fetch(`${emu.url}/__emulator/reset-stats`, { method: 'POST' });
    const record = await respond({ client: client(), action: 'logout-user', target: m.email, dryRun: true });
    expect(record.outcome).toBe('planned');
    expect(record.planned).toEqual([{ method: 'PUT', path: `security/activeconnections/logoutall/${m.id}` }]);
    expect(record.sent).toEqual([]);
    expect(await writesSeen()).toBe(0);
    expect(await sessionStatus(token)).toBe(200);
  });

  it('from the CLI: lists the request and what proves it, exit 0, no write, no key in the output', async () => {
    const m = freshMember();
    const r = await cli(['respond', 'disable-user', m.email]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`PUT /api/2.0/people/status/2 {"userIds":["${m.id}"]}`);
    expect(r.stdout).toContain('dry run: nothing was sent');
    expect(r.stdout).toContain('audit trail is read for action 4020');
    expect(await writesSeen()).toBe(0);
    expect(m.status).toBe(1);
    expect(r.stdout + r.stderr).not.toContain(emu.apiKey);
  });
});

describe('--yes acts, then verifies from the audit trail', () => {
  it('logout-user ends every session of the member, and the audit trail shows 4036', async () => {
    const m = freshMember();
    const first = await signIn(m);
    const second = await signIn(m);
    const record = await respond({ client: client(), action: 'logout-user', target: m.id, dryRun: false, sleep: noWait });
    expect(record.outcome).toBe('verified');
    expect(record.sent[0]).toMatchObject({ method: 'PUT', status: 200 });
    const audit = record.verification!.checks.find((c) => c.check === 'audit-trail')!;
    expect(audit.ok).toBe(true);
    expect(audit.detail).toContain('action 4036');
    expect(await sessionStatus(first.token)).toBe(401);
    expect(await sessionStatus(second.token)).toBe(401);
  });

  it('logout-session ends only that session (4035); the member’s other session lives on', async () => {
    const m = freshMember();
    const doomed = await signIn(m);
    const spared = await signIn(m);
    expect(doomed.eventId).not.toBe(spared.eventId);
    const record = await respond({
      client: client(),
      action: 'logout-session',
      target: String(doomed.eventId),
      dryRun: false,
      sleep: noWait,
    });
    expect(record.target).toMatchObject({ sessionId: doomed.eventId, userId: m.id });
    expect(record.outcome).toBe('verified');
    expect(record.verification!.checks.map((c) => [c.check, c.ok])).toEqual([
      ['response', true],
      ['audit-trail', true],
      ['sessions', null],
    ]);
    expect(record.verification!.checks[1].detail).toContain('action 4035');
    expect(await sessionStatus(doomed.token)).toBe(401);
    expect(await sessionStatus(spared.token)).toBe(200);
  });

  it('disable-user sets status 2, ends the sessions, and the audit trail shows 4020', async () => {
    const m = freshMember();
    const { token } = await signIn(m);
    const record = await respond({ client: client(), action: 'disable-user', target: m.userName, dryRun: false, sleep: noWait });
    expect(record.outcome).toBe('verified');
    expect(record.verification!.checks.map((c) => [c.check, c.ok])).toEqual([
      ['audit-trail', true],
      ['people-status', true],
    ]);
    expect(record.sent[0].response).toEqual([{ id: m.id, status: 2 }]);
    expect(m.status).toBe(2);
    expect(await sessionStatus(token)).toBe(401);
  });

  it('says "unverified" when the audit trail never shows the action, after reading it the given number of times', async () => {
    const m = freshMember();
    // The real emulator, with every audit record hidden from the client: the proof never appears.
    const blind = async (req: Request) => {
      const res = await fetch(req);
      if (!new URL(req.url).pathname.endsWith('/security/audit/events/filter')) return res;
      const body = (await res.json()) as Record<string, unknown>;
      return new Response(JSON.stringify({ ...body, response: [], count: 0 }), { status: 200, headers: { 'content-type': 'application/json' } });
    };
    const waits: number[] = [];
    const record = await respond({
      client: client(emu.apiKey, blind),
      action: 'logout-user',
      target: m.id,
      dryRun: false,
      verifyAttempts: 3,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    expect(record.outcome).toBe('unverified');
    expect(record.verification!.checks[0]).toMatchObject({ check: 'audit-trail', ok: false });
    expect(waits).toEqual([1000, 2000]);
  });

  it('from the CLI: --yes prints what was sent and the proof, exit 0, without the key', async () => {
    const m = freshMember();
    const r = await cli(['respond', 'logout-user', m.email, '--yes']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`sent PUT /api/2.0/security/activeconnections/logoutall/${m.id} -> 200`);
    expect(r.stdout).toMatch(/ok audit-trail: audit record \d+ \(action 4036\)/);
    expect(r.stdout).toMatch(/\nverified\n$/);
    expect(r.stdout + r.stderr).not.toContain(emu.apiKey);
  });
});

describe('refusals, before anything is written', () => {
  it('a read-only key exits 4 with the reason and sends no write', async () => {
    const m = freshMember();
    await expect(
      respond({ client: client(READ_KEY), action: 'logout-user', target: m.id, dryRun: false }),
    ).rejects.toThrow(/only \*:read: a read-only key can read login history but cannot contain anything/);
    const r = await cli(['respond', 'logout-user', m.id, '--yes'], READ_KEY);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('a read-only key can read login history but cannot contain anything');
    expect(r.stdout + r.stderr).not.toContain(READ_KEY);
    expect(await writesSeen()).toBe(0);
  });

  it('when the portal will not name the key (no keys/@self), the write decides: its bare 403 is explained and recorded as failed', async () => {
    const m = freshMember();
    const { token } = await signIn(m);
    // An older server: keys/@self is unknown (404), so the scope cannot be read before acting.
    const older = async (req: Request) =>
      new URL(req.url).pathname.endsWith('/keys/@self') ? new Response('', { status: 404 }) : fetch(req);
    const store = await openStore(join(dir, 'archive.sqlite'));
    try {
      const err = await respond({ client: client(READ_KEY, older), action: 'logout-user', target: m.id, dryRun: false, store }).catch((e) => e);
      expect(err).toBeInstanceOf(PermissionError);
      expect(err.message).toContain('the API key lacks *:write. A read-only key (*:read) cannot contain anything');
      const [row] = (await store.responses()).filter((r) => r.targetUserId === m.id);
      expect(row).toMatchObject({ outcome: 'failed', requests: [{ method: 'PUT', status: 403 }] });
      expect(JSON.stringify(row)).not.toContain(READ_KEY);
    } finally {
      await store.close();
    }
    expect(await sessionStatus(token)).toBe(200);
  });

  it('refuses the portal owner, even to an admin key that could', async () => {
    const owner = emu.state.people.find((p) => p.role === 'owner')!;
    const err = await respond({ client: client(ADMIN_KEY), action: 'logout-user', target: owner.id, dryRun: false }).catch((e) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect(err.message).toContain('is the portal owner');
    expect(await writesSeen()).toBe(0);
  });

  it("refuses the key's own user", async () => {
    const self = emu.state.keys.find(ADMIN_KEY)!.person;
    const r = await cli(['respond', 'logout-user', self.id, '--yes', '--allow-admin'], ADMIN_KEY);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain("is the key's own user");
    expect(await writesSeen()).toBe(0);
  });

  it('refuses an admin without --allow-admin, and logs them out with it', async () => {
    const admin = freshMember('admin');
    const refused = await cli(['respond', 'logout-user', admin.id, '--yes']);
    expect(refused.code).toBe(4);
    expect(refused.stderr).toContain('add --allow-admin');
    expect(await writesSeen()).toBe(0);
    const allowed = await cli(['respond', 'logout-user', admin.id, '--yes', '--allow-admin']);
    expect(allowed.code, allowed.stderr).toBe(0);
  });

  it('a USER that names nobody is a usage error (exit 2) that lists the accepted forms', async () => {
    const r = await cli(['respond', 'logout-user', 'Nobody Atall', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('USER "Nobody Atall" matches no member: give a user id (GUID), an e-mail address');
    expect(await writesSeen()).toBe(0);
  });

  it('refuses a login event that is not a successful login (no session to end)', async () => {
    const failure = emu.state.allEvents().find((e) => e.actionId === 1013)!;
    const r = await cli(['respond', 'logout-session', String(failure.id)]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not a successful login');
  });
});

describe('the record, next to the finding', () => {
  it('stores request, response and verification in the archive with the finding id', async () => {
    const m = freshMember();
    const { eventId } = await signIn(m);
    const store = await openStore(join(dir, 'archive.sqlite'));
    try {
      const finding = { id: 'f-123', rule: 'DSL-007', group: m.id, sessionIds: [eventId] };
      const [target] = await findingTargets(client(), finding, 'logout-session');
      const record: ResponseRecord = await respond({
        client: client(),
        action: 'logout-session',
        target,
        findingId: finding.id,
        dryRun: false,
        store,
        sleep: noWait,
      });
      expect(record.outcome).toBe('verified');
      const [row] = await store.responses({ findingId: 'f-123' });
      expect(row).toMatchObject({
        findingId: 'f-123',
        action: 'logout-session',
        targetUserId: m.id,
        targetSessionId: eventId,
        outcome: 'verified',
        requests: [{ method: 'PUT', path: `security/activeconnections/logout/${eventId}`, status: 200, response: true }],
      });
      expect(JSON.stringify(row)).not.toContain(emu.apiKey);
      expect((row.verification as { verified: boolean }).verified).toBe(true);
    } finally {
      await store.close();
    }
  });

  it("takes a finding's member from its group, or from its sessions when the group is a typed login", async () => {
    const m = freshMember();
    const { eventId } = await signIn(m);
    const c = client();
    expect(await findingTargets(c, { id: 'f1', rule: 'R', group: m.id.toUpperCase(), sessionIds: [] }, 'disable-user')).toEqual([m.id]);
    expect(await findingTargets(c, { id: 'f2', rule: 'R', group: m.email, sessionIds: [eventId] }, 'logout-user')).toEqual([m.id]);
    await expect(findingTargets(c, { id: 'f3', rule: 'R', group: '203.0.113.9', sessionIds: [] }, 'logout-user')).rejects.toThrow(
      /names no member/,
    );
    await expect(findingTargets(c, { id: 'f4', rule: 'R', group: m.id, sessionIds: [] }, 'logout-session')).rejects.toThrow(
      /no session to log out/,
    );
  });

  it('--finding with an id the archive does not hold is a usage error, before anything is sent', async () => {
    const r = await cli(['respond', '--finding', 'abcd0404', '--yes', '--db', join(dir, 'archive.sqlite')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No finding abcd0404');
    expect(await writesSeen()).toBe(0);
  });

  it("--finding --yes ends the finding's session by default and records the response under its full id", async () => {
    const m = freshMember();
    const doomed = await signIn(m);
    const spared = await signIn(m);
    const db = join(dir, 'findings.sqlite');
    const store = await openStore(db);
    const id = 'beef0123456789abcdef0123';
    try {
      const portalId = await store.ensurePortal({ url: emu.url });
      await store.upsertFindings(portalId, [
        {
          id,
          rule: 'DSL-007',
          title: 'Success after a failure burst',
          severity: 'critical',
          tags: [],
          group: m.id,
          firstSeen: NOW,
          lastSeen: NOW,
          count: 1,
          eventIds: [doomed.eventId],
          sessionIds: [doomed.eventId],
          confidence: 'high',
          evidence: {},
        },
      ]);
    } finally {
      await store.close();
    }
    const r = await cli(['respond', '--finding', 'beef0123', '--yes', '--db', db]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`logout-session session ${doomed.eventId} of`);
    expect(r.stdout).toContain(`for finding ${id}`);
    expect(await sessionStatus(doomed.token)).toBe(401);
    expect(await sessionStatus(spared.token)).toBe(200);
    const reopened = await openStore(db);
    try {
      const [row] = await reopened.responses({ findingId: id });
      expect(row).toMatchObject({ action: 'logout-session', targetSessionId: doomed.eventId, outcome: 'verified', automatic: false });
    } finally {
      await reopened.close();
    }
  });

  it('--finding refuses a finding about another portal', async () => {
    const db = join(dir, 'elsewhere.sqlite');
    const store = await openStore(db);
    try {
      const portalId = await store.ensurePortal({ url: 'https://elsewhere.example.com' });
      await store.upsertFindings(portalId, [
        { id: 'cafe0123456789abcdef0123', rule: 'R', title: 't', severity: 'high', tags: [], group: 'x', firstSeen: NOW,
          lastSeen: NOW, count: 1, eventIds: [1], sessionIds: [1], confidence: 'high', evidence: {} },
      ]);
    } finally {
      await store.close();
    }
    const r = await cli(['respond', '--finding', 'cafe0123', '--yes', '--db', db]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('is about https://elsewhere.example.com');
    expect(await writesSeen()).toBe(0);
  });

  it('a dry run stores nothing', async () => {
    const m = freshMember();
    const store = await openStore(join(dir, 'archive.sqlite'));
    try {
      const before = (await store.responses()).length;
      await respond({ client: client(), action: 'logout-user', target: m.id, dryRun: true, store });
      expect((await store.responses()).length).toBe(before);
    } finally {
      await store.close();
    }
  });
});
