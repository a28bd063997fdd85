/** Run the built CLI (dist/) as a user would: a real process, real stdout, stderr and exit code. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CLI = fileURLToPath(new URL('../../dist/bin/main.js', import.meta.url));

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A cache folder of this test process (the rules cache), so tests leave nothing in the real home. */
let cache: string | undefined;
const testCache = () => (cache ??= mkdtempSync(join(tmpdir(), 'dl-test-cache-')));

/** Environment without the developer's own DocSpace settings, plus `env`. */
export function cleanEnv(env: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('DOCSPACE_') && !k.startsWith('XDG_')) base[k] = v;
  }
  return { ...base, NO_COLOR: '1', XDG_CACHE_HOME: testCache(), ...env };
}

export function cli(
  args: string[],
  env: Record<string, string | undefined> = {},
  timeout = 60_000,
): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: cleanEnv(env), timeout, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}
