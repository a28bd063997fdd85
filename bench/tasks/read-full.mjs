// One full history read through the library (the parallel reader), or a one-page-at-a-time
// loop over the same endpoint (the baseline). Prints JSON: events, requests, ms, and for the
// library its retries and the time it spent waiting (rate limits, pacing, back-off).
// The library is this checkout's build, or in an A/B run (BENCH_CLI) the other build's: the
// read is measured through the library, so switching only the CLI would compare a build to itself.
import { library } from '../lib/library.mjs';

const { DocSpaceClient, readHistory } = await library('index.js');

const [mode, url, key, concurrency = '8'] = process.argv.slice(2);
const started = performance.now();
let events = 0;
let requests = 0;
let retries = 0;
let waitedMs = 0;
if (mode === 'parallel') {
  const client = new DocSpaceClient({
    portal: url,
    credentials: { kind: 'apiKey', apiKey: key },
    concurrency: Number(concurrency),
  });
  for await (const _ of readHistory(client)) events++;
  ({ requests, retries, waitedMs } = client.stats);
  await client.close();
} else {
  // The loop the seed example would grow into: one request at a time, startIndex += 100.
  for (let start = 0; ; start += 100) {
    const res = await fetch(`${url}/api/2.0/security/audit/login/filter?count=100&startIndex=${start}`, {
      headers: { authorization: `Bearer ${key}`, accept: 'application/json' },
    });
    const body = await res.json();
    requests++;
    events += body.response.length;
    if (body.response.length < 100) break;
  }
}
console.log(JSON.stringify({ events, requests, retries, waitedMs, ms: performance.now() - started }));
