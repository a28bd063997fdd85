// All built-in rules over an archive, oldest first, as `detect --since all` does, then
// incremental detection of the newest N events from the engine state the first pass exported
// (state as JSON, as it is persisted; the N events read from the archive, as a watcher reads
// them). Also a read-only pass over the same rows (the baseline that isolates the engine).
// Prints JSON: events, readMs, fullMs, findings, incremental { events, ms, stateBytes }.
// Usage: node bench/tasks/detect-archive.mjs FILE [N=1000]
import Database from 'better-sqlite3';
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { builtinRules, Detector } from '../../dist/detect/index.js';
import { detectMembers } from '../../dist/detect/directory.js';
import { EVENT_FIELDS, valuesToLoginEvent } from '../../dist/store/rows.js';

const [file, n = '1000'] = process.argv.slice(2);
const fresh = Number(n);
// The fixture holds events only: its members are the same generator's (seed 3, 400 users).
const source = createEmulatorApp({ seed: 3, events: 0, users: 400 });
const people = detectMembers(
  source.state.people.map((p) => ({
    id: p.id, displayName: p.displayName, userName: p.userName, email: p.email, status: p.status,
    role: p.role === 'roomAdmin' ? 'room_admin' : p.role, registeredAt: p.registered, terminatedAt: p.status === 2 ? (p.terminated ?? null) : null,
  })),
);
source.close();
const ctx = { people, secret: 'bench' };
const rules = builtinRules();
const db = new Database(file, { readonly: true });
const portal = db.prepare('SELECT min(id) FROM portals').pluck().get();
const total = db.prepare('SELECT count(*) FROM events WHERE portal_id = ?').pluck().get(portal);
const columns = EVENT_FIELDS.join(', ');
// Oldest first along the (portal_id, time, id) index, as detection needs them.
const rows = (limit, offset) =>
  db.prepare(`SELECT ${columns} FROM events WHERE portal_id = ? ORDER BY time, id LIMIT ? OFFSET ?`).raw().iterate(portal, limit, offset);

// Baseline: the same rows read and turned into events, nothing else.
let started = performance.now();
let read = 0;
for (const v of rows(total - fresh, 0)) if (valuesToLoginEvent(v).id) read++;
const readMs = performance.now() - started;

// `detect --since all`: every rule over everything but the newest N, then the state to keep.
started = performance.now();
const detector = new Detector(rules, ctx);
const ids = new Set();
let k = 0;
for (const v of rows(total - fresh, 0)) {
  detector.push(valuesToLoginEvent(v));
  if (++k % 8192 === 0) for (const f of detector.drain()) ids.add(f.id);
}
for (const f of detector.drain()) ids.add(f.id);
const stateJson = JSON.stringify(detector.exportState());
const fullMs = performance.now() - started;

// Incremental: the kept state, the N newest events read from the archive, their findings, the new state.
started = performance.now();
const next = new Detector(rules, ctx, JSON.parse(stateJson));
const newest = db.prepare(`SELECT ${columns} FROM events WHERE portal_id = ? ORDER BY time DESC, id DESC LIMIT ?`).raw().all(portal, fresh);
for (let i = newest.length - 1; i >= 0; i--) next.push(valuesToLoginEvent(newest[i]));
const changed = next.drain().length;
const kept = JSON.stringify(next.exportState()).length;
const incrementalMs = performance.now() - started;
db.close();
console.log(
  JSON.stringify({
    events: k, read, readMs, fullMs, findings: ids.size,
    incremental: { events: newest.length, ms: incrementalMs, changed, stateBytes: kept },
  }),
);
