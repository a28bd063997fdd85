// What the rollups cost the insert path: the emulator's events (the synced portal's generator
// and options) through `store.insertEvents` in sync's 5,000-event transactions, timed, and the
// same batches' rollup work alone (aggregate in JS, upsert) into a second archive, timed, batch by
// batch in turn with the first. The ratio is the rollups' share of the insert path. Rows are built
// outside the clock.
// Usage: node bench/tasks/rollup-cost.mjs DIR EVENTS SEED DAYS USERS → {"events":…, "insertMs":…, "rollupMs":…}
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { normaliseEvent, parseApiDate } from '../../dist/index.js';
import { openStore } from '../../dist/store/index.js';
import { RollupBatch } from '../../dist/store/rollup-batch.js';
import { writeRollups } from '../../dist/store/rollups.js';
import { toRow } from '../../dist/store/rows.js';

const [dir, count, seed, days, users] = process.argv.slice(2);
mkdirSync(dir, { recursive: true });
const app = createEmulatorApp({ seed: Number(seed), events: Number(count), days: Number(days), users: Number(users) });
const BATCH = 5_000;
const batches = [];
let batch = [];
app.state.store.scan((row) => {
  const served = JSON.parse(JSON.stringify(app.state.renderEvent(row, 'https://bench.docspace.test')));
  batch.push(normaliseEvent(served, parseApiDate(served.date)));
  if (batch.length === BATCH) {
    batches.push(batch);
    batch = [];
  }
});
if (batch.length) batches.push(batch);
app.close();

// The two are timed batch by batch in turn, so both are measured in the same seconds of the host:
// run one after the other, each took its own minute, and the share moved with the load between
// them (31-42% over one afternoon with the same code).
const full = await openStore(join(dir, 'full.sqlite'));
const portalId = await full.ensurePortal({ url: 'https://bench.docspace.test' });
const alone = await openStore(join(dir, 'rollups.sqlite'));
const other = await alone.ensurePortal({ url: 'https://bench.docspace.test' });
const now = Date.now();
const rows = batches.map((b) => b.map((e) => toRow(other, e, null, now)).filter((r) => 'row' in r).map((r) => r.row));
let events = 0;
let insertMs = 0;
let rollupMs = 0;
for (let i = 0; i < batches.length; i++) {
  let started = performance.now();
  events += (await full.insertEvents(portalId, batches[i])).added;
  insertMs += performance.now() - started;
  started = performance.now();
  await alone.transaction(async (tx) => {
    const r = new RollupBatch();
    for (const row of rows[i]) r.add(row);
    await writeRollups(r, (q) => tx.backend.write(tx.db, q), tx.dialect, tx.backend.capabilities.writeEach);
  });
  rollupMs += performance.now() - started;
}
await full.close();
await alone.close();
process.stdout.write(JSON.stringify({ events, insertMs, rollupMs }));
