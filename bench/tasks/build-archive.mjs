// Bench fixture: an archive of N emulator events written straight into SQLite (no HTTP), so the
// read-side benchmarks can run over millions of rows without a long sync first; the people
// directory and the rollups are there as a sync leaves them. The sync path itself is measured
// separately. The history is the emulator's benign background with its labelled scenarios (as the
// detection-quality seeds are): no unlabelled bursts or sprays every few hundred logins, and no
// member hopping between far cities faster than a plane, which made detection over the fixture
// find attacks nobody planted (221,239 findings over 5M events).
// In an A/B run (BENCH_CLI) the events are still this checkout's emulator's, as the server would
// send them, but the other build normalises and stores them in its own schema (its CLI could not
// read ours); the people and the rollups only where that build has them.
// Usage: node bench/tasks/build-archive.mjs FILE N [days]
import Database from 'better-sqlite3';
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { library } from '../lib/library.mjs';

const { DocSpaceClient, normaliseEvent, parseApiDate } = await library('index.js');
const { openStore } = await library('store/index.js');
const { toRow } = await library('store/rows.js');
const readDirectory = (await library('sync/people.js').catch(() => ({}))).readDirectory;

const [file, count, days = '180'] = process.argv.slice(2);
const app = createEmulatorApp({ seed: 3, events: Number(count), days: Number(days), users: 400, scenarios: true });
const store = await openStore(file);
const portalId = await store.ensurePortal({ url: 'https://bench.docspace.test' });
await store.updatePortal(portalId, { retentionDays: 180, audit: true });
// The people directory as a sync records it: read through the people API (in memory).
if (readDirectory) {
  const client = new DocSpaceClient({ portal: 'http://127.0.0.1:9', credentials: { kind: 'apiKey', apiKey: app.state.apiKey }, send: (r) => app.fetch(r) });
  await store.replacePeople(portalId, await readDirectory(client), Date.now());
  await client.close();
}
await store.close();

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = OFF');
let stmt;
const insert = db.transaction((rows) => {
  for (const r of rows) stmt.run(r);
});
const now = Date.now();
let batch = [];
app.state.store.scan((row) => {
  const served = app.state.renderEvent(row, 'https://bench.docspace.test');
  const r = toRow(portalId, normaliseEvent(served, parseApiDate(served.date)), null, now);
  if (!('row' in r)) return;
  if (!stmt) {
    const cols = Object.keys(r.row);
    stmt = db.prepare(
      `INSERT INTO events (${cols.join(', ')}) VALUES (${cols.map((c) => `@${c}`).join(', ')})`,
    );
  }
  batch.push(r.row);
  if (batch.length === 20_000) {
    insert(batch);
    batch = [];
  }
});
if (batch.length) insert(batch);
db.pragma('wal_checkpoint(TRUNCATE)');
db.close();
app.close();
// The rows went in past the store, so its rollups are made from them once, as migration 9 does
// for an archive that predates them.
const again = await openStore(file);
if (again.rebuildRollups) await again.rebuildRollups();
await again.close();
const done = new Database(file);
done.pragma('wal_checkpoint(TRUNCATE)');
done.exec('ANALYZE');
done.close();
