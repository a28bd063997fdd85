// Bench helper: the archive exporter on one thread and on two, same plan, output to a file.
// Usage: node bench/export-threads.mjs FILE.sqlite SINCE_MS OUT one|two  → {"ms":…, "events":…}
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { exportArchive } from '../../dist/export/parallel.js';
import { openStore } from '../../dist/store/index.js';

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
