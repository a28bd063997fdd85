/**
 * The package a user installs, as `npm pack` makes it: no install-time script asking for approval,
 * one copy of the CLI, no source maps for sources it does not ship, and a LICENSE. (That
 * `npm install -g` of it gives a working command is checked by scripts/check-pack.mjs in CI: it
 * builds the native module, which takes minutes.)
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));

it('packs the bundle, the library and a LICENSE; no dist/cli copy, no source map, no install-time script', () => {
  const [packed] = JSON.parse(
    execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }),
  ) as Array<{ files: Array<{ path: string }> }>;
  const files = packed.files.map((f) => f.path);
  expect(files).toEqual(expect.arrayContaining(['LICENSE', 'README.md', 'package.json', 'dist/bin/main.js', 'dist/index.js', 'dist/index.d.ts']));
  expect(files.filter((f) => f.startsWith('dist/cli/'))).toEqual([]);
  expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
  expect(files.filter((f) => /^(src|test|bench)\//.test(f))).toEqual([]);
  const { scripts } = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { scripts: Record<string, string> };
  for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(scripts[hook], hook).toBeUndefined();
}, 120_000);
