#!/usr/bin/env node
/**
 * Entry point. `--version` is answered before anything heavy is imported: cold start matters
 * for a tool that scripts call in loops.
 */
import { packageVersion } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${packageVersion()}\n`);
} else {
  // A closed pipe surfaces as an 'error' on stdout; the write that hits it reports EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const { run } = await import('./run.js');
  process.exitCode = await run(argv);
}
