// CLI tests spawn the bundle: it must have been built from the sources in this working tree.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { CLI } from './helpers/cli.js';

function newestSource(dir: string): { file: string; mtime: number } {
  let newest = { file: '', mtime: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (!entry.isDirectory() && !entry.name.endsWith('.ts')) continue;
    const found = entry.isDirectory() ? newestSource(path) : { file: path, mtime: statSync(path).mtimeMs };
    if (found.mtime > newest.mtime) newest = found;
  }
  return newest;
}

it('the CLI bundle that tests run is newer than every source file', () => {
  const src = fileURLToPath(new URL('../src', import.meta.url));
  const { file, mtime } = newestSource(src);
  expect(statSync(CLI).mtimeMs, `${file} changed after dist/bin/main.js was bundled`).toBeGreaterThanOrEqual(mtime);
});
