// The benchmark sections, in the order a run takes them; each records rows of lib/catalogue.mjs.
import { archiveReads } from './archive.mjs';
import { coldStart } from './cold-start.mjs';
import { dashboardPages } from './dashboard.mjs';
import { detectQuality, detectSpeed } from './detect.mjs';
import { exports } from './export.mjs';
import { ndjsonExport } from './ndjson.mjs';
import { rateLimitedRead } from './rate-limit.mjs';
import { parallelRead } from './read.mjs';
import { archiveSync } from './sync.mjs';
import { watchLatency } from './watch.mjs';

/** Section id (as in the catalogue and on the command line) → the function that measures it. */
export const SECTIONS = {
  cold: coldStart,
  read: parallelRead,
  limited: rateLimitedRead,
  ndjson: ndjsonExport,
  sync: archiveSync,
  archive: archiveReads,
  dashboard: dashboardPages,
  export: exports,
  watch: watchLatency,
  'detect-quality': detectQuality,
  detect: detectSpeed,
};
