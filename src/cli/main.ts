#!/usr/bin/env node
// No V8 flags in the line above. A 4 MB semi-space (--max/--min-semi-space-size) used to be set
// here to bound the young generation, but any semi-space flag changes V8's flag hash, and V8 then
// rejects the code cache Node ships for its own modules: every internal module a command loads
// after start-up (the ES module loader, http, net, streams) is compiled from source, about 30 ms of
// CPU, a tenth of a sync with nothing new. The threads that stream a whole history cap their own
// young generation (resourceLimits in read-thread.ts, scan-thread.ts and export/parallel.ts); the
// main thread's costs some memory: a 1M-event first sync peaked at 192 MB resident (187 MB with
// the flags), a 1M-row XLSX export at 145 MB (123 MB). `events` and `sync` hold the main
// thread's at 4 MB while a history streams, by a flag V8 reads at run time (young-generation.ts).
/**
 * Entry point. `--version` is answered before anything heavy is imported: cold start matters
 * for a tool that scripts call in loops.
 */
import { fileURLToPath } from 'node:url';
import { cacheDir } from '../config/paths.js';
import { requireWithCompileCache } from './compile-cache.js';
import { versionText } from './version.js';

/**
 * Set by scripts/bundle-cli.mjs: the bundle's code is CommonJS chunks beside this file, compiled
 * through a code cache (compile-cache.ts), and CLI_BUILD names them. Unset when this file runs
 * from tsc's output: the command tree is then imported as the ES module it is.
 */
declare const CLI_CHUNKS: string | undefined;
declare const CLI_BUILD: string | undefined;

type Run = typeof import('./run.js').run;

async function loadRun(): Promise<Run> {
  if (typeof CLI_CHUNKS !== 'string') return (await import('./run.js')).run;
  const codeDir = fileURLToPath(new URL(CLI_CHUNKS, import.meta.url));
  const cache = process.env.DOCSPACE_LOGINS_NO_COMPILE_CACHE ? undefined : cacheDir();
  return requireWithCompileCache<{ run: Run }>(codeDir, 'run.cjs', String(CLI_BUILD), cache).run;
}

async function main(argv: string[]): Promise<void> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(`${versionText()}\n`);
    return;
  }
  // A closed pipe surfaces as an 'error' on stdout; the write that hits it reports EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const run = await loadRun();
  const code = await run(argv);
  // Every command has finished its work (files closed, the pager gone, workers done) when `run`
  // returns. With nothing left to write on stdout and stderr (pipes are asynchronous on macOS),
  // the process ends here: a natural exit waits for idle sockets to close and tears down V8's heap,
  // ~10 ms of a sync with nothing new. 'exit' handlers (output-file.ts) still run.
  if (process.stdout.writableLength === 0 && process.stderr.writableLength === 0) process.exit(code);
  process.exitCode = code;
}

// No top-level await: the bundle of this file is a CommonJS script (scripts/bundle-cli.mjs).
void main(process.argv.slice(2));
