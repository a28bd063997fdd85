#!/usr/bin/env -S node --max-semi-space-size=4 --min-semi-space-size=4
// The flags in the line above: the tool streams, so its live heap stays around 15 MB however
// long the history, but V8 sizes the young generation for throughput (up to 3 x 16 MB). A 4 MB
// semi-space keeps a 1M-event sync under 200 MB resident. Starting at that size instead of 1 MB
// spares the seven scavenges that loading the code used to cost a short command (a no-op sync
// now makes two), each copying start-up objects that live anyway. V8 takes both only at start-up.
/**
 * Entry point. `--version` is answered before anything heavy is imported: cold start matters
 * for a tool that scripts call in loops.
 */
import { versionText } from './version.js';

const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
  process.stdout.write(`${versionText()}\n`);
} else {
  // A closed pipe surfaces as an 'error' on stdout; the write that hits it reports EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
  });
  const { run } = await import('./run.js');
  process.exitCode = await run(argv);
}
