/**
 * The pure decisions of containment: which requests each action sends, which keys may send them,
 * whom `respond` refuses, and when a watcher may respond on its own (`autoRespondPolicy`); and
 * the responses table, in both databases.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { ruleSchema } from '../src/detect/rule-schema.js';
import {
  autoRespondPolicy,
  type AutoRespondInput,
  type Caller,
  callerRefusal,
  planRequests,
  provesAction,
  type RespondTarget,
  scopeAllows,
  targetRefusal,
} from '../src/respond/index.js';
import { openStore } from '../src/store/index.js';
import { type DialectCase, dialects } from './helpers/dialects.js';

const ANNA = '0b9a1f0e-1111-4c2d-9e3f-aaaaaaaaaaaa';
const SELF = '0b9a1f0e-2222-4c2d-9e3f-bbbbbbbbbbbb';

const admin: Caller = { id: SELF, name: 'Sam', isOwner: false, isAdmin: true };
const member = (role: RespondTarget['role'] = 'member', userId = ANNA): RespondTarget => ({ userId, name: 'Anna', role });

describe('the requests each action sends', () => {
  it.each([
    ['logout-session', { method: 'PUT', path: 'security/activeconnections/logout/4711' }],
    ['logout-user', { method: 'PUT', path: `security/activeconnections/logoutall/${ANNA}` }],
    ['disable-user', { method: 'PUT', path: 'people/status/2', body: { userIds: [ANNA] } }],
  ] as const)('%s', (action, request) => {
    expect(planRequests(action, { ...member(), sessionId: 4711 })).toEqual([request]);
  });
});

describe('which key scopes may contain', () => {
  it.each([
    [[], 'logout-user', true],
    [['*'], 'logout-session', true],
    [['*:write'], 'logout-user', true],
    [['*:read'], 'logout-user', false],
    [['*:read'], 'disable-user', false],
    [['accounts:write'], 'disable-user', true],
    [['accounts:write'], 'logout-user', false],
    [['files:write', 'rooms:write'], 'logout-session', false],
  ] as const)('%j may %s: %s', (permissions, action, allowed) => {
    expect(scopeAllows(action, permissions)).toBe(allowed);
  });
});

describe('whom respond refuses', () => {
  it('a read-only key, with the reason, and a caller who is not an admin', () => {
    expect(callerRefusal('logout-user', { ...admin, permissions: ['*:read'] })).toMatch(/only \*:read: a read-only key/);
    expect(callerRefusal('logout-user', { ...admin, isAdmin: false })).toMatch(/is not a DocSpace admin/);
    expect(callerRefusal('logout-user', { ...admin, permissions: ['*:write'] })).toBeUndefined();
    expect(callerRefusal('logout-user', admin)).toBeUndefined();
  });

  it.each([
    ['the caller', member('admin', SELF), true, /own user/],
    ['the owner', member('owner'), true, /portal owner/],
    ['an admin without allowAdmin', member('admin'), false, /--allow-admin/],
    ['a plain member', member(), false, undefined],
    ['an admin with allowAdmin', member('admin'), true, undefined],
  ] as const)('%s', (_name, target, allowAdmin, refusal) => {
    const why = targetRefusal('logout-user', admin, target, allowAdmin);
    if (refusal) expect(why).toMatch(refusal);
    else expect(why).toBeUndefined();
  });

  it('lets only the owner disable an admin (the portal would skip it silently)', () => {
    expect(targetRefusal('disable-user', admin, member('admin'), true)).toMatch(/only the owner can disable an admin/);
    expect(targetRefusal('disable-user', { ...admin, isOwner: true, isAdmin: false }, member('admin'), true)).toBeUndefined();
  });
});

describe('what proves an action in the audit trail', () => {
  const o = { auditAction: 4036, target: member(), callerId: SELF, baseline: 10 };
  it.each([
    ['the action on the target by the caller after the baseline', { id: 11, actionId: 4036, userId: SELF, target: [ANNA] }, true],
    ['a record from before the action', { id: 10, actionId: 4036, userId: SELF, target: [ANNA] }, false],
    ['another action', { id: 12, actionId: 4034, userId: SELF, target: [ANNA] }, false],
    ['another target', { id: 12, actionId: 4036, userId: SELF, target: [SELF] }, false],
    ['another actor', { id: 12, actionId: 4036, userId: ANNA, target: [ANNA] }, false],
    ['a record naming the member only in its text', { id: 12, actionId: 4036, userId: SELF, action: 'Logged out of all active connections of Anna' }, true],
  ])('%s: %s', (_name, record, proves) => {
    expect(provesAction(record, o)).toBe(proves);
  });
});

describe('autoRespondPolicy', () => {
  const NOW = Date.parse('2026-12-01T12:00:00Z');
  const base: AutoRespondInput = {
    rule: { id: 'DSL-007', respond: 'logout-user' },
    finding: { id: 'f1', sessionIds: [42, 43] },
    member: { id: ANNA },
    recent: [],
    now: NOW,
  };
  const on = { enabled: true };

  it.each([
    ['off by default', base, { enabled: false }, /automatic response is off/],
    ['a rule without respond', { ...base, rule: { id: 'DSL-001' } }, on, /asks for no response/],
    ['a finding naming no member', { ...base, member: undefined }, on, /names no member/],
    ['the owner, even with allowAdmin', { ...base, member: { id: ANNA, isOwner: true } }, { ...on, allowAdmin: true }, /owner is never/],
    ['an admin without allowAdmin', { ...base, member: { id: ANNA, isAdmin: true } }, on, /needs --allow-admin/],
    ['the hourly cap reached', { ...base, recent: [NOW - 59 * 60_000, NOW - 30 * 60_000, NOW - 1000] }, on, /the cap is 3/],
    ['logout-session without sessions', { ...base, rule: { id: 'R', respond: 'logout-session' as const }, finding: { id: 'f', sessionIds: [] } }, on, /no session/],
  ])('does not respond: %s', (_name, input, config, reason) => {
    const d = autoRespondPolicy(input as AutoRespondInput, config);
    expect(d.respond).toBe(false);
    expect(d.reason).toMatch(reason);
  });

  it('responds when switched on, with the member or the sessions as targets', () => {
    expect(autoRespondPolicy(base, on)).toEqual({ respond: true, action: 'logout-user', targets: [ANNA], reason: 'rule DSL-007 asks for logout-user' });
    const sessions = autoRespondPolicy({ ...base, rule: { id: 'R', respond: 'logout-session' } }, on);
    expect(sessions).toMatchObject({ respond: true, targets: ['42', '43'] });
  });

  it('counts only the last hour against the cap, and an admin passes with allowAdmin', () => {
    const older = [NOW - 61 * 60_000, NOW - 2 * 3_600_000, NOW - 3 * 3_600_000];
    expect(autoRespondPolicy({ ...base, recent: older }, on).respond).toBe(true);
    expect(autoRespondPolicy({ ...base, recent: [NOW - 1000] }, { ...on, maxPerHour: 1 }).respond).toBe(false);
    expect(autoRespondPolicy({ ...base, member: { id: ANNA, isAdmin: true } }, { ...on, allowAdmin: true }).respond).toBe(true);
  });

  it('reads respond: from a rule, and refuses an unknown action', () => {
    const rule = { id: 'X-1', title: 't', severity: 'high', detection: { selection: { outcome: 'failure' } } };
    expect(ruleSchema.parse({ ...rule, respond: 'logout-user' }).respond).toBe('logout-user');
    expect(ruleSchema.parse(rule).respond).toBeUndefined();
    expect(ruleSchema.safeParse({ ...rule, respond: 'delete-user' }).success).toBe(false);
  });
});

describe('the responses table', async () => {
  const cases: DialectCase[] = await dialects('responses');
  afterAll(async () => {
    for (const c of cases) await c.cleanup();
  });

  for (const c of cases) {
    it.skipIf(c.skip)(`${c.name}${c.skip ? ` (skipped: ${c.skip})` : ''}: records a response and reads it back by finding`, async () => {
      const store = await openStore(await c.fresh());
      try {
        const portalId = await store.ensurePortal({ url: 'https://acme.example.com' });
        const id = await store.recordResponse(portalId, {
          findingId: 'f9',
          action: 'disable-user',
          targetUserId: ANNA,
          outcome: 'unverified',
          requests: [{ method: 'PUT', path: 'people/status/2', body: { userIds: [ANNA] }, status: 200 }],
          verification: { verified: false, checks: [] },
          startedAt: 1000,
          finishedAt: 2000,
        });
        expect(id).toBeGreaterThan(0);
        await store.recordResponse(portalId, { action: 'logout-user', targetUserId: ANNA, outcome: 'failed', automatic: true, requests: [], error: '403', startedAt: 3000, finishedAt: 3000 });
        const [row] = await store.responses({ findingId: 'f9' });
        expect(row).toMatchObject({ id, portalId, action: 'disable-user', targetSessionId: null, outcome: 'unverified', startedAt: 1000, finishedAt: 2000 });
        expect(row.requests).toEqual([{ method: 'PUT', path: 'people/status/2', body: { userIds: [ANNA] }, status: 200 }]);
        expect((await store.responses({ portalId })).map((r) => r.outcome)).toEqual(['unverified', 'failed']);
        // What the hourly cap counts: the automatic ones since an instant.
        expect((await store.responses({ portalId, automatic: true, since: 2500 })).map((r) => r.automatic)).toEqual([true]);
        expect(await store.responses({ portalId, automatic: true, since: 3001 })).toEqual([]);
        expect((await store.responses({ automatic: false })).map((r) => r.findingId)).toEqual(['f9']);
      } finally {
        await store.close();
      }
    });
  }
});
