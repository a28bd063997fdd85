/**
 * The bundled CLI compiles its chunks from a V8 code cache kept in the cache folder
 * (src/cli/compile-cache.ts). What a user relies on: the first run writes it, later runs use it
 * without writing again, a damaged cache is compiled past and rewritten, a cache folder that
 * cannot be written costs nothing but the cache, and the variable turns it off. The output is
 * the same in every case.
 */
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../src/index.js';
import { cli } from './helpers/cli.js';

const ARGS = ['rules', 'list', '--format', 'json'];

function cacheFiles(home: string): Map<string, number> {
  const root = join(home, 'docspace-logins', 'compile');
  const builds = readdirSync(root);
  expect(builds).toHaveLength(1);
  const dir = join(root, builds[0]);
  return new Map(readdirSync(dir).map((f) => [join(dir, f), statSync(join(dir, f)).mtimeMs]));
}

describe('the compile cache', () => {
  it('is written by the first run and used, unchanged, by the next; a damaged file is compiled past and rewritten', async () => {
    const home = mkdtempSync(join(tmpdir(), 'dl-ccache-'));
    const first = await cli(ARGS, { XDG_CACHE_HOME: home });
    expect(first.code).toBe(0);
    expect(first.stderr).toBe('');
    const written = cacheFiles(home);
    // The command tree's entry and the chunks it loaded, each with V8's code for it.
    expect([...written.keys()].some((f) => /[/\\]run\.cjs\.\d+\.v8$/.test(f))).toBe(true);
    expect(written.size).toBeGreaterThan(3);

    const second = await cli(ARGS, { XDG_CACHE_HOME: home });
    expect(second).toEqual(first);
    expect(cacheFiles(home)).toEqual(written);

    // V8 refuses a cache that is not its own: that file is compiled from source and made again.
    const [damaged] = [...written.keys()].filter((f) => /[/\\]run\.cjs\./.test(f));
    writeFileSync(damaged, Buffer.alloc(4096, 7));
    const third = await cli(ARGS, { XDG_CACHE_HOME: home });
    expect(third).toEqual(first);
    const after = cacheFiles(home);
    expect(readFileSync(damaged).equals(Buffer.alloc(4096, 7))).toBe(false);
    for (const [file, mtime] of after) if (file !== damaged) expect(mtime).toBe(written.get(file));
  });

  it('a cache folder that cannot be written, or DOCSPACE_LOGINS_NO_COMPILE_CACHE, changes nothing but the cache', async () => {
    const reference = await cli(ARGS, { DOCSPACE_LOGINS_NO_COMPILE_CACHE: '1' });
    expect(reference.code).toBe(0);
    // A file where the folder would be: nothing can be made under it.
    const blocked = join(mkdtempSync(join(tmpdir(), 'dl-ccache-')), 'not-a-folder');
    writeFileSync(blocked, '');
    expect(await cli(ARGS, { XDG_CACHE_HOME: blocked })).toEqual(reference);

    const off = mkdtempSync(join(tmpdir(), 'dl-ccache-'));
    expect(await cli(ARGS, { XDG_CACHE_HOME: off, DOCSPACE_LOGINS_NO_COMPILE_CACHE: '1' })).toEqual(reference);
    expect(readdirSync(off)).toEqual([]);
  });

  it('holds code, never what a command was given: the API key is in no cache file', async () => {
    const emu = await startEmulator({ seed: 5, events: 300 });
    try {
      const home = mkdtempSync(join(tmpdir(), 'dl-ccache-'));
      const r = await cli(['users', '--json'], { XDG_CACHE_HOME: home, DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
      expect(r.code).toBe(0);
      const files = [...cacheFiles(home).keys()];
      expect(files.length).toBeGreaterThan(3);
      for (const f of files) {
        const bytes = readFileSync(f);
        expect(bytes.includes(emu.apiKey), f).toBe(false);
        expect(bytes.includes(Buffer.from(emu.apiKey, 'utf16le')), f).toBe(false);
      }
    } finally {
      await emu.close();
    }
  });
});
