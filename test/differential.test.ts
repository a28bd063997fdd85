/**
 * One answer: the same question gives the same answer from the portal, from the archive (SQLite
 * and PostgreSQL) and from every report, for several emulator seeds and every member, whichever
 * form of `--user` names them.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsCommand, type EventsFlags } from '../src/cli/commands/events.js';
import { type ReportFlags, reportCommand } from '../src/cli/commands/report.js';
import { type UsersFlags, usersCommand } from '../src/cli/commands/users.js';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { syncInto } from './helpers/archive.js';
import { dialects } from './helpers/dialects.js';
import { runCommand } from './helpers/run-command.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
const DAY = 86_400_000;
const period = { since: new Date(NOW - 40 * DAY).toISOString(), until: new Date(NOW + 3_600_000).toISOString() };
const cases = await dialects('differential');
afterAll(async () => {
  for (const c of cases) await c.cleanup();
});

interface Counts {
  userId: string;
  successes: number;
  failures: number;
  logouts: number;
}
const byUser = (rows: Counts[]) =>
  new Map(rows.map((r) => [r.userId, [r.successes, r.failures, r.logouts]]));

for (const c of cases) {
  for (const seed of [5, 23]) {
    describe.skipIf(c.skip)(`${c.name}${c.skip ? ` (skipped: ${c.skip})` : ''}, seed ${seed}`, () => {
      let emu: RunningEmulator;
      let db: string;
      const dir = mkdtempSync(join(tmpdir(), 'dl-diff-'));
      const run = <F>(command: (f: F, io: never, r: never) => Promise<number>, flags: F) =>
        runCommand(emu, dir, (io, r) => (command as (f: F, i: typeof io, rr: typeof r) => Promise<number>)(flags, io, r));
      const events = async (flags: EventsFlags) => {
        const r = await run(eventsCommand, { ...period, format: 'json', ...flags });
        expect(r.code, r.stderr).toBe(0);
        return (JSON.parse(r.stdout) as Array<{ id: number }>).map((e) => e.id).sort((a, b) => a - b);
      };

      beforeAll(async () => {
        emu = await startEmulator({ now: NOW, seed, users: 16, events: 2500, days: 35 });
        db = await c.fresh();
        await syncInto(emu, db);
      }, 120_000);
      afterAll(async () => {
        await emu?.close();
      });

      it('events --user gives the same events live and archived, by GUID, e-mail, user name and display name', async () => {
        const members = emu.state.people.filter((p) => !p.deleted);
        const names = new Map<string, number>();
        for (const p of members) names.set(p.displayName.toLowerCase(), (names.get(p.displayName.toLowerCase()) ?? 0) + 1);
        let nonEmpty = 0;
        for (const p of members) {
          const forms = [p.id, p.email.toUpperCase(), p.userName];
          if (names.get(p.displayName.toLowerCase()) === 1) forms.push(p.displayName);
          const expected = await events({ user: [p.id], archive: true, db });
          if (expected.length) nonEmpty++;
          for (const form of forms) {
            expect(await events({ user: [form] }), `${p.displayName} live by ${form}`).toEqual(expected);
            expect(await events({ user: [form], archive: true, db }), `${p.displayName} archived by ${form}`).toEqual(expected);
          }
        }
        expect(nonEmpty).toBeGreaterThan(5);
      }, 300_000);

      it('users --details (live and archived) and report users (archive and --live) count the same per user', async () => {
        const runs = [
          await run(usersCommand, { ...period, details: true, format: 'json' } as UsersFlags),
          await run(usersCommand, { ...period, details: true, format: 'json', archive: true, db } as UsersFlags),
          await run(reportCommand.bind(null, 'users'), { ...period, format: 'json', db } as ReportFlags),
          await run(reportCommand.bind(null, 'users'), { ...period, format: 'json', live: true } as ReportFlags),
        ];
        for (const r of runs) expect(r.code, r.stderr).toBe(0);
        const [first, ...rest] = runs.map((r) => byUser(JSON.parse(r.stdout) as Counts[]));
        expect(first.size).toBeGreaterThan(5);
        for (const other of rest) expect(other).toEqual(first);
      }, 120_000);

      it('report summary and daily are the same live and from the archive', async () => {
        for (const name of ['summary', 'daily'] as const) {
          const archived = await run(reportCommand.bind(null, name), { ...period, format: 'json', db } as ReportFlags);
          const live = await run(reportCommand.bind(null, name), { ...period, format: 'json', live: true } as ReportFlags);
          expect(archived.code, archived.stderr).toBe(0);
          expect(live.code, live.stderr).toBe(0);
          expect(JSON.parse(live.stdout), name).toEqual(JSON.parse(archived.stdout));
        }
      }, 120_000);
    });
  }
}
