// Check the package a user installs (run by .ci/run after the tests; `npm run check-pack`).
//
// Why a script and not a test: installing the tarball builds better-sqlite3 for the scratch
// prefix, which takes minutes on a small machine. What it proves: the tarball holds one copy of
// the CLI (the bundle in dist/bin, not tsc's dist/cli as well), no source map pointing at
// sources it does not ship, and the LICENSE; and `npm install -g` of it gives a working command
// that opens an archive (the native module loads), not just one that prints its version.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const scratch = mkdtempSync(join(tmpdir(), 'dl-check-pack-'));
const npm = (args, opts = {}) => execFileSync('npm', args, { cwd: root, encoding: 'utf8', ...opts });
const failures = [];
const check = (ok, what) => {
  console.log(`check-pack: ${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

try {
  const [packed] = JSON.parse(npm(['pack', '--json', '--pack-destination', scratch], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const files = packed.files.map((f) => f.path);
  check(files.includes('dist/bin/main.js'), 'ships the CLI bundle dist/bin/main.js');
  check(!files.some((f) => f.startsWith('dist/cli/')), 'ships no second copy of the CLI (dist/cli)');
  check(!files.some((f) => f.endsWith('.map')), 'ships no source maps (the sources are not shipped)');
  check(files.includes('LICENSE'), 'ships LICENSE');
  check(files.includes('dist/index.js') && files.includes('dist/index.d.ts'), 'ships the library and its types');
  check(!files.some((f) => f.startsWith('src/') || f.startsWith('test/')), 'ships no sources or tests');
  console.log(`check-pack: ${packed.filename}: ${files.length} files, ${(packed.unpackedSize / 1e6).toFixed(1)} MB unpacked`);

  const prefix = join(scratch, 'prefix');
  npm(['install', '-g', '--prefix', prefix, '--no-audit', '--no-fund', '--allow-scripts=better-sqlite3', join(scratch, packed.filename)], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const bin = join(prefix, 'bin', name);
  const run = (args) => execFileSync(bin, args, { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  check(run(['--version']).split('\n')[0] === version, `${bin} --version prints ${version}`);
  const db = join(scratch, 'archive.sqlite');
  run(['sync', '--demo', '--db', db, '-q']);
  const [row] = JSON.parse(run(['status', '--db', db, '--format', 'json']));
  check(row?.events > 0, `the installed command syncs and reads an archive (${row?.events} events)`);
} catch (err) {
  failures.push(String(err.message ?? err));
  console.error(`check-pack: ${err.message ?? err}`);
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
if (failures.length) {
  console.error(`check-pack: ${failures.length} check(s) failed`);
  process.exit(1);
}
