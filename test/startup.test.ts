/**
 * What an incremental sync with nothing new loads: most of its start-up is Node parsing the code
 * it loads, so the bundle code it loads is held to a budget (measured in bytes, not time: the
 * machine may be busy). It was 1.5 MB with classic zod at the edge and node:crypto loaded by
 * every command; it is about 520 KB since. A module that loads something big at the top for a
 * rarely used path (a whole library, node:crypto) fails this test: import it where it is used.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { syncInto } from './helpers/archive.js';
import { CLI, cleanEnv } from './helpers/cli.js';

/** Bytes of dist/bin a no-op sync may load (about 520 KB today). */
const BUDGET_BYTES = 640 * 1024;

let emu: RunningEmulator;
let dir: string;
let db: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: 7, events: 500 });
  dir = mkdtempSync(join(tmpdir(), 'dl-startup-'));
  db = join(dir, 'archive.sqlite');
  await syncInto(emu, db);
  // A module hook that writes down every module the process loads.
  writeFileSync(
    join(dir, 'hooks.mjs'),
    `import { appendFileSync } from 'node:fs';
export async function load(url, context, next) {
  appendFileSync(process.env.LOADED_OUT, url + '\\n');
  return next(url, context);
}
`,
  );
  // The CLI's chunks are CommonJS (require()d, not seen by the hook): the loader's cache lists them.
  writeFileSync(
    join(dir, 'preload.mjs'),
    `import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';
import { pathToFileURL } from 'node:url';
register('./hooks.mjs', import.meta.url);
const cache = createRequire(import.meta.url).cache;
process.on('exit', () => appendFileSync(process.env.LOADED_OUT, Object.keys(cache).map((f) => pathToFileURL(f).href + '\\n').join('')));
`,
  );
});
afterAll(async () => {
  await emu?.close();
});

function loadedBy(args: string[], env: Record<string, string> = {}): Promise<string[]> {
  const out = join(dir, `loaded-${Math.random().toString(36).slice(2)}.txt`);
  writeFileSync(out, '');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', join(dir, 'preload.mjs'), CLI, ...args],
      { env: cleanEnv({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey, LOADED_OUT: out, ...env }), timeout: 60_000 },
      (err, _stdout, stderr) => {
        if (err) reject(new Error(`${err.message}\n${stderr}`));
        else resolve(readFileSync(out, 'utf8').split('\n').filter(Boolean));
      },
    );
  });
}

describe('start-up of a sync with nothing new', () => {
  it('loads its own code within the budget, without node:crypto or the detection engine', async () => {
    const loaded = await loadedBy(['sync', '-q', '--db', db]);
    const bundle = loaded.filter((u) => u.startsWith('file:') && u.includes('/dist/bin/'));
    expect(bundle.length).toBeGreaterThan(5);
    const bytes = bundle.reduce((n, u) => n + statSync(fileURLToPath(u)).size, 0);
    expect(bytes, bundle.map((u) => u.replace(/.*dist\/bin\//, '')).join(' ')).toBeLessThan(BUDGET_BYTES);
    expect(loaded).not.toContain('node:crypto');
    expect(bundle.some((u) => /\/detect-[^/]*\.c?js$/.test(u))).toBe(false);
  });
});

describe('start-up of a watch cycle with nothing new', () => {
  it('loads no detection engine (the rules come from the cache, detection is not needed) and stays within the budget', async () => {
    const env = { XDG_CACHE_HOME: join(dir, 'cache') };
    // The first cycle detects over the history and caches the checked rules.
    const first = await loadedBy(['watch', '--once', '-q', '--db', db], env);
    expect(first.some((u) => /\/detect-[^/]*\.c?js$/.test(u))).toBe(true);
    const loaded = await loadedBy(['watch', '--once', '-q', '--db', db], env);
    const bundle = loaded.filter((u) => u.startsWith('file:') && u.includes('/dist/bin/'));
    const bytes = bundle.reduce((n, u) => n + statSync(fileURLToPath(u)).size, 0);
    expect(bytes, bundle.map((u) => u.replace(/.*dist\/bin\//, '')).join(' ')).toBeLessThan(BUDGET_BYTES + 64 * 1024);
    expect(bundle.some((u) => /\/detect-[^/]*\.c?js$/.test(u))).toBe(false);
  });
});

describe('the entry point', () => {
  it('is a CommonJS script: Node runs it without setting up an ES module job (~10 ms of every command)', async () => {
    // Node's internal modules a process loaded, written down as it exits.
    const probe = join(dir, 'probe.cjs');
    writeFileSync(probe, "process.on('exit', () => process.stderr.write(process.moduleLoadList.join('\\n')));\n");
    const internal = (file: string, args: string[]) =>
      new Promise<string[]>((resolve, reject) => {
        execFile(process.execPath, ['--require', probe, file, ...args], { env: cleanEnv() }, (err, _stdout, stderr) => {
          if (err) reject(err);
          else resolve(stderr.split('\n'));
        });
      });
    const esModule = join(dir, 'empty.mjs');
    writeFileSync(esModule, '');
    // The module that runs an ES module entry: loaded for one, so its absence below means something.
    expect(await internal(esModule, [])).toContain('NativeModule internal/modules/esm/module_job');
    for (const args of [['--version'], ['sync', '--help']]) {
      expect(await internal(CLI, args), args.join(' ')).not.toContain('NativeModule internal/modules/esm/module_job');
    }
  });
});
