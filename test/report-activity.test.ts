/**
 * `users --details` and `report users` count per user with one builder: on the same history
 * they give every user the same successes, failures and logouts, live or from the archive.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ReportFlags, reportCommand } from '../src/cli/commands/report.js';
import { type UsersFlags, usersCommand } from '../src/cli/commands/users.js';
import type { CliIo, Reporter } from '../src/cli/io.js';
import { actionKind, type RunningEmulator, startEmulator } from '../src/index.js';
import { GUEST_ID } from '../src/model/ids.js';
import { openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';
import { runCommand as runInProcess } from './helpers/run-command.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const SINCE = new Date(NOW - 25 * DAY).toISOString();
// Past the emulator's start: the failed logins typed below fall inside.
const UNTIL = new Date(NOW + 3_600_000).toISOString();
const NOT_ATTRIBUTED = /failures not attributed: no people directory — run sync/;

interface Counted {
  userId: string;
  successes: number;
  failures: number;
  logouts: number;
  attributed: boolean;
  anonymousFailures?: number;
}

type Run = { code: number; rows: Counted[]; stderr: string };

/** A command run in-process; with `emu` null, no portal address or key is configured. */
async function runCommand(
  emu: RunningEmulator | null,
  dir: string,
  command: (io: CliIo, reporter: Reporter) => Promise<number>,
): Promise<Run> {
  const r = await runInProcess(emu, dir, command);
  return { code: r.code, rows: JSON.parse(r.stdout) as Counted[], stderr: r.stderr };
}

function byUser(rows: readonly Counted[]) {
  return new Map(rows.map((r) => [r.userId, { successes: r.successes, failures: r.failures, logouts: r.logouts }]));
}

for (const seed of [12, 29]) {
  describe(`seed ${seed}: users --details and report users agree, live and archived`, () => {
    let emu: RunningEmulator;
    let dir: string;
    let db: string;
    const period = { since: SINCE, until: UNTIL, format: 'json' as const };
    let member: { id: string; email: string; userName: string };
    const users = (flags: UsersFlags, env: RunningEmulator | null = emu) =>
      runCommand(env, dir, (io, r) => usersCommand({ ...period, details: true, ...flags }, io, r));
    const report = (flags: ReportFlags, env: RunningEmulator | null = emu) =>
      runCommand(env, dir, (io, r) => reportCommand('users', { ...period, quiet: true, ...flags }, io, r));

    beforeAll(async () => {
      emu = await startEmulator({ now: NOW, seed, users: 30, events: 3000, days: 40 });
      dir = mkdtempSync(join(tmpdir(), 'dl-report-activity-'));
      db = join(dir, 'archive.sqlite');
      // An active member with logins of their own in the period, so they have a row.
      const active = new Set(served().filter((e) => e.userId !== GUEST_ID).map((e) => e.userId));
      member = emu.state.people.find((p) => p.status === 1 && !p.deleted && active.has(p.id))!;
      // A wrong password typed with a member's e-mail in other case, and an empty login form:
      // the first is the member's, the second (the server's placeholder text) nobody's.
      for (const userName of [member.email.toUpperCase(), '']) {
        await fetch(`${emu.url}/api/2.0/authentication`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ userName, password: 'wrong' }),
        });
      }
      await syncInto(emu, db);
    });

    afterAll(async () => {
      await emu?.close();
    });

    /** The portal's own events in the period, as it serves them. */
    function served() {
      return emu.state.allEvents().filter((e) => Date.parse(e.date) >= Date.parse(SINCE) && Date.parse(e.date) <= Date.parse(UNTIL));
    }

    it('every user has the same successes, failures and logouts in all four', async () => {
      const runs = {
        'users --details': await users({}),
        'users --archive --details': await users({ archive: true, db }),
        'report users': await report({ db }),
        'report users --live': await report({ live: true }),
      };
      for (const [name, r] of Object.entries(runs)) {
        expect(r.code, `${name}: ${r.stderr}`).toBe(0);
        expect(r.stderr, name).not.toMatch(NOT_ATTRIBUTED);
        expect(r.rows.length, name).toBeGreaterThan(10);
        expect(r.rows.every((row) => row.attributed === true), name).toBe(true);
      }
      const expected = byUser(runs['users --details'].rows);
      for (const [name, r] of Object.entries(runs)) expect(byUser(r.rows), name).toEqual(expected);
      // The agreement includes failures typed anonymously, not only a user's own.
      const anonymous = runs['report users'].rows.reduce((n, row) => n + (row.anonymousFailures ?? 0), 0);
      expect(anonymous).toBeGreaterThan(0);
    });

    it("an anonymous failure is a member's when it names their e-mail or user name, in any case", async () => {
      const failures = served().filter((e) => e.userId === GUEST_ID && actionKind(e.actionId) === 'failure');
      expect(failures.some((e) => e.login === member.email.toUpperCase())).toBe(true);
      // The empty form is in the history too (the placeholder rule itself: report-attribution.test.ts).
      expect(failures.some((e) => e.login === 'Email is not specified')).toBe(true);
      const names = [member.email, member.userName].map((v) => v.toLowerCase());
      const theirs = failures.filter((e) => e.login && names.includes(e.login.toLowerCase())).length;
      const r = await report({ db });
      const row = r.rows.find((x) => x.userId === member.id.toLowerCase());
      expect(row?.anonymousFailures).toBe(theirs);
    });

    it('without a people directory nothing is attributed, and stderr and JSON say so', async () => {
      // The same archive with its directory emptied, as an archive synced before it had one.
      const bare = join(dir, 'bare.sqlite');
      copyFileSync(db, bare);
      const store = await openStore(bare);
      await store.db.deleteFrom('people').execute();
      await store.close();
      for (const r of [await users({ archive: true, db: bare }, null), await report({ db: bare }, null)]) {
        expect(r.code).toBe(0);
        expect(r.stderr).toMatch(NOT_ATTRIBUTED);
        expect(r.rows.length).toBeGreaterThan(10);
        expect(r.rows.every((row) => row.attributed === false)).toBe(true);
        expect(r.rows.every((row) => (row.anonymousFailures ?? 0) === 0)).toBe(true);
      }
    });
  });
}
