/**
 * The project's starting point: DocSpace's own "Get login history" Node.js example, run unchanged
 * except for its host and key, must print the same set of ids as `users --json --include-anonymous`.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { cli } from './helpers/cli.js';

const SEED = fileURLToPath(new URL('../../shared/seed/get-login-history.md', import.meta.url));
const hasSeed = existsSync(SEED);

/** The Node.js tab of the example, with only API_HOST and API_KEY replaced. */
function seedScript(host: string, key: string): string {
  const md = readFileSync(SEED, 'utf8');
  const tab = md.slice(md.indexOf('label="Node.js"'));
  const code = /```\s*ts\n([\s\S]*?)```/.exec(tab)?.[1];
  if (!code) throw new Error('the Node.js example was not found in the seed');
  const replaced = code
    .replace(/const API_HOST = '[^']*';/, `const API_HOST = '${host}';`)
    .replace(/const API_KEY = '[^']*';/, `const API_KEY = '${key}';`);
  expect(replaced).not.toBe(code);
  return replaced;
}

describe.skipIf(!hasSeed)(
  hasSeed
    ? 'the seed example'
    : 'the seed example (skipped: ../shared/seed/get-login-history.md is not beside the project)',
  () => {
    let emu: RunningEmulator;
    beforeAll(async () => {
      emu = await startEmulator({ seed: 2024, events: 4000, now: Date.parse('2025-07-01T10:00:00Z') });
      // A failed login at the head, so the Guest id is among the latest events.
      await fetch(`${emu.url}/api/2.0/authentication`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ userName: 'intruder@example.com', password: 'guess' }),
      });
    });
    afterAll(async () => emu?.close());

    it('prints the same set of user ids as `users --json --include-anonymous`', async () => {
      const dir = mkdtempSync(join(tmpdir(), 'dl-seed-'));
      const file = join(dir, 'get-login-history.mjs');
      writeFileSync(file, seedScript(emu.url, emu.apiKey));
      const seedOut = await new Promise<string>((resolve, reject) =>
        execFile(process.execPath, [file], (err, stdout) => (err ? reject(err) : resolve(stdout))),
      );
      const line = seedOut.split('\n').find((l) => l.startsWith('Last login users: '));
      expect(line, seedOut).toBeDefined();
      const seedIds = JSON.parse(line!.slice('Last login users: '.length)) as string[];

      const ours = await cli(['users', '--json', '--include-anonymous'], {
        DOCSPACE_URL: emu.url,
        DOCSPACE_API_KEY: emu.apiKey,
      });
      expect(ours.code).toBe(0);
      const ourIds = JSON.parse(ours.stdout) as string[];
      expect(seedIds).toContain('712d9ec3-5d2b-4b13-824f-71f00191dcca');
      expect(new Set(ourIds)).toEqual(new Set(seedIds));
      expect(ourIds).toHaveLength(seedIds.length);
    });
  },
);
