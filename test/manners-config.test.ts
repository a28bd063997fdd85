/**
 * Settings errors say where the setting came from (a flag, a variable, a profile, a key file),
 * so the fix is obvious; and profiles behave as their names and files say.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { cli } from './helpers/cli.js';

const BAD_KEY = `sk-${'A'.repeat(64)}`;
let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: 51, events: 200, days: 10, now: Date.parse('2025-07-01T10:00:00Z') });
});
afterAll(async () => {
  await emu.close();
});

/** A fresh config folder per test: profiles never leak between tests. */
function home(env: Record<string, string | undefined> = {}) {
  dir = mkdtempSync(join(tmpdir(), 'dl-manners-cfg-'));
  return { XDG_CONFIG_HOME: dir, ...env };
}

describe('messages name where a setting came from', () => {
  it.each([
    ['$DOCSPACE_API_KEY', () => home({ DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: BAD_KEY }), [], /The API key in \$DOCSPACE_API_KEY does not look like a DocSpace key/],
    ['$DOCSPACE_URL', () => home({ DOCSPACE_URL: 'ftp://acme', DOCSPACE_API_KEY: emu.apiKey }), [], /^error: \$DOCSPACE_URL: The portal URL must start with https:\/\//m],
    ['--portal', () => home({ DOCSPACE_API_KEY: emu.apiKey }), ['--portal', 'ftp://acme'], /^error: --portal: The portal URL must start with https:\/\//m],
  ])('a bad value in %s', async (_what, env, args, message) => {
    const r = await cli(['users', ...(args as string[])], env());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it("a bad key in a profile's variable or key file names both the profile and the source", async () => {
    const env = home({ ACME_KEY: BAD_KEY });
    const keyFile = join(dir, 'other.key');
    writeFileSync(keyFile, `${BAD_KEY}\n`, { mode: 0o600 });
    expect((await cli(['profiles', 'add', 'acme', '--portal', emu.url, '--key-env', 'ACME_KEY'], env)).code).toBe(0);
    expect((await cli(['profiles', 'add', 'other', '--portal', emu.url, '--key-file', keyFile], env)).code).toBe(0);
    const byVariable = await cli(['users', '--profile', 'acme'], env);
    expect(byVariable.code).toBe(2);
    expect(byVariable.stderr).toMatch(/The API key in \$ACME_KEY \(profile "acme"\) does not look like a DocSpace key/);
    const byFile = await cli(['users', '--profile', 'other'], env);
    expect(byFile.code).toBe(2);
    expect(byFile.stderr).toContain(`The API key in the key file ${keyFile} (profile "other") does not look like a DocSpace key`);
  });

  it.each([
    ['DOCSPACE_USER', 'DOCSPACE_PASSWORD'],
    ['DOCSPACE_PASSWORD', 'DOCSPACE_USER'],
  ])('%s without %s says which one is missing', async (set, unset) => {
    const r = await cli(['users'], home({ DOCSPACE_URL: emu.url, [set]: 'x' }));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${set} is set but ${unset} is not: set both, or use DOCSPACE_API_KEY`);
  });
});

describe('profiles', () => {
  it('a profile whose key variable is DOCSPACE_API_KEY works', async () => {
    const env = home({ DOCSPACE_API_KEY: emu.apiKey });
    expect((await cli(['profiles', 'add', 'main', '--portal', emu.url, '--key-env', 'DOCSPACE_API_KEY'], env)).code).toBe(0);
    const r = await cli(['users', '--profile', 'main', '--limit', '3'], env);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(3);
  });

  it.each(['__proto__', 'toString', 'constructor'])('--profile %s is "no profile named", not an inherited property', async (name) => {
    const env = home({ ACME_KEY: emu.apiKey });
    expect((await cli(['profiles', 'add', 'acme', '--portal', emu.url, '--key-env', 'ACME_KEY'], env)).code).toBe(0);
    const r = await cli(['users', '--profile', name], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: No profile named "${name}" (known: acme)`);
    const removed = await cli(['profiles', 'remove', name], env);
    expect(removed.code).toBe(2);
    expect(removed.stderr).toContain(`No profile named "${name}"`);
  });

  it.each([
    ['--key-file', 'key', []],
    ['--ca-file', 'CA bundle', ['--key-env', 'ACME_KEY']],
  ])('profiles add checks that the %s exists', async (flag, what, more) => {
    const env = home();
    const missing = join(dir, 'missing.pem');
    const r = await cli(['profiles', 'add', 'acme', '--portal', emu.url, ...more, flag, missing], env);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`error: ${flag} ${missing}: the ${what} file does not exist`);
    expect(existsSync(join(dir, 'docspace-logins', 'config.json'))).toBe(false);
  });
});
