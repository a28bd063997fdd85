/**
 * Vitest global set-up: bundle the CLI from the current `src/` before any test runs, so a test
 * that spawns `dist/bin/main.js` exercises the code in the working tree, never a stale build
 * (esbuild reads the TypeScript sources directly and takes about a second).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/bundle-cli.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
