// The store's ceiling: the emulator's events (same generator, same options as the synced portal)
// inserted into the archive's own schema, with the store's pragmas, by the plainest
// better-sqlite3 loop. Only the inserts are timed; building the rows is not.
// Usage: node bench/tasks/raw-insert.mjs FILE EVENTS SEED DAYS USERS → {"events":…, "ms":…}
import Database from 'better-sqlite3';
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { normaliseEvent, parseApiDate } from '../../dist/index.js';
import { openStore } from '../../dist/store/index.js';
import { rawToKeep } from '../../dist/store/original.js';
import { toRow } from '../../dist/store/rows.js';

const [file, count, seed, days, users] = process.argv.slice(2);
const app = createEmulatorApp({ seed: Number(seed), events: Number(count), days: Number(days), users: Number(users) });
// The schema and indexes exactly as a first sync finds them.
const store = await openStore(file);
const portalId = await store.ensurePortal({ url: 'https://bench.docspace.test' });
await store.close();

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('cache_size = -32000');
db.pragma('wal_autocheckpoint = 10000');
let stmt;
const insert = db.transaction((rows) => {
  for (const r of rows) stmt.run(r);
});
// Sync's batch: one transaction per 5,000 events, newest first as the portal serves them.
const BATCH = 5_000;
const now = Date.now();
let batch = [];
let events = 0;
let ms = 0;
const flush = () => {
  const started = performance.now();
  insert(batch);
  ms += performance.now() - started;
  events += batch.length;
  batch = [];
};
app.state.store.scan((row) => {
  const served = JSON.parse(JSON.stringify(app.state.renderEvent(row, 'https://bench.docspace.test')));
  const event = normaliseEvent(served, parseApiDate(served.date));
  const r = toRow(portalId, event, rawToKeep(served, event), now);
  if (!('row' in r)) return;
  if (!stmt) {
    const cols = Object.keys(r.row);
    stmt = db.prepare(
      `INSERT INTO events (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')}) ON CONFLICT (portal_id, id) DO NOTHING`,
    );
  }
  batch.push(Object.values(r.row));
  if (batch.length === BATCH) flush();
});
if (batch.length) flush();
db.close();
app.close();
process.stdout.write(JSON.stringify({ events, ms }));
