// Bench helper: the archive exporter on one thread and on two, same plan, output to a file.
// Usage: node bench/export-threads.mjs FILE.sqlite SINCE_MS OUT one|two  → {"ms":…, "events":…}
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { library } from '../lib/library.mjs';

// The build under test's exporter and store (an A/B run's other build, see lib/library.mjs).
const { exportArchive } = await library('export/parallel.js');
const { openStore } = await library('store/index.js');

const [file, since, out, threads] = process.argv.slice(2);
const sink = createWriteStream(out, { highWaterMark: 1024 * 1024 });
const store = await openStore(file, { readOnly: true });
const started = performance.now();
const events = await exportArchive(store, 1, { since: Number(since) }, { format: 'ndjson' }, sink, {
  parallel: threads === 'two',
});
await store.close();
sink.end();
await once(sink, 'close');
process.stdout.write(JSON.stringify({ ms: performance.now() - started, events }));
