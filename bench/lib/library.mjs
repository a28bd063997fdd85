// The build a task measures through the library: this checkout's `dist/`, or in an A/B run
// (BENCH_CLI=/other/dist/bin/main.js) the other build's. A task that reads or writes through the
// library must switch with the CLI, or an A/B run would compare a build with itself.
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const OTHER = process.env.BENCH_CLI ? resolve(dirname(resolve(process.env.BENCH_CLI)), '..') : undefined;

/** `import()` of a module of the build under test, by its path inside `dist/` ('index.js', 'store/index.js'). */
export function library(path) {
  const url = OTHER ? pathToFileURL(resolve(OTHER, path)).href : new URL(`../../dist/${path}`, import.meta.url).href;
  return import(url);
}

/** Whether the build under test is another checkout's (an A/B run). */
export const otherBuild = OTHER !== undefined;
