/**
 * `docspace-logins emulator` as a person starts it: a real process, its first line naming the URL,
 * stopped with Ctrl-C (SIGINT). `--scenarios` labels attacks for any seed; `--geo` places an address
 * named in `X-Forwarded-For` where the file says, as DocSpace's IP database would.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, cli } from './helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-emulator-cli-'));
const running: ChildProcess[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Starts the emulator; resolves with its URL and API key once it has printed them. */
function start(args: string[]): Promise<{ url: string; key: string; child: ChildProcess }> {
  const child = spawn(process.execPath, [CLI, 'emulator', '--port', '0', '--events', '2000', '--days', '60', ...args], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const url = /listening on (\S+)/.exec(out)?.[1];
      const key = /API key: (\S+)/.exec(out)?.[1];
      if (url && key) resolve({ url, key, child });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited ${code}: ${err}`)));
  });
}

/** Ctrl-C, as the README says to stop it: exit 0. */
function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', (code) => resolve(code));
    child.kill('SIGINT');
  });
}

async function scenarioKinds(url: string): Promise<string[]> {
  const scenarios = (await (await fetch(`${url}/__emulator/scenarios`)).json()) as Array<{ kind: string }>;
  return [...new Set(scenarios.map((s) => s.kind))].sort();
}

describe('emulator command', () => {
  it('--scenarios labels attacks in a seed that has none by default', async () => {
    const plain = await start(['--seed', '7']);
    expect(await scenarioKinds(plain.url)).toEqual([]);
    expect(await stop(plain.child)).toBe(0);
    const labelled = await start(['--seed', '7', '--scenarios']);
    expect(await scenarioKinds(labelled.url)).toEqual(expect.arrayContaining(['password-spray', 'success-after-attack', 'benign-typo']));
    expect(await stop(labelled.child)).toBe(0);
  });

  it('--geo places a login attempt by its forwarded address', async () => {
    const geo = join(dir, 'places.csv');
    writeFileSync(geo, '203.0.113.0/24,Germany,Berlin\n');
    const emu = await start(['--seed', '7', '--geo', geo]);
    const res = await fetch(`${emu.url}/api/2.0/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9' },
      body: JSON.stringify({ userName: 'nobody@example.test', password: 'wrong' }),
    });
    expect(res.status).toBe(401);
    const last = (await (
      await fetch(`${emu.url}/api/2.0/security/audit/login/last`, { headers: { authorization: `Bearer ${emu.key}` } })
    ).json()) as { response: Array<{ ip: string; country: string; city: string; login: string }> };
    expect(last.response[0]).toMatchObject({ ip: '203.0.113.9', country: 'Germany', city: 'Berlin', login: 'nobody@example.test' });
    expect(await stop(emu.child)).toBe(0);
  });

  it('--geo refuses a file it cannot use with one line that names it (exit 2)', async () => {
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, 'not,a,cidr\n');
    const wrong = await cli(['emulator', '--geo', bad, '--port', '0']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr.trim()).toBe(`error: --geo: ${bad}, line 1: not an IP range: "not"`);
    const missing = await cli(['emulator', '--geo', join(dir, 'none.csv'), '--port', '0']);
    expect(missing.code).toBe(2);
    expect(missing.stderr.trim()).toBe(`error: --geo ${join(dir, 'none.csv')}: no such file (a CSV of cidr,country,city lines)`);
  });
});
