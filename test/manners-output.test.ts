/**
 * `--output FILE` never destroys data: the export goes to a partial file beside FILE and replaces
 * it only when the command succeeds; a failure or Ctrl-C leaves the previous FILE as it was.
 * A full disk or a missing folder is a local I/O error (exit 8) naming the path.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, cleanEnv, cli } from './helpers/cli.js';
import { body, type ScriptedServer, scriptedServer } from './helpers/scripted-server.js';

const KEY = `sk-${'a'.repeat(64)}`;
const PREVIOUS = 'the export of last week\n';
let dir: string;
let servers: ScriptedServer[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'dl-manners-out-'));
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.close()));
  servers = [];
});

const portalEnv = (url: string) => ({ DOCSPACE_URL: url, DOCSPACE_API_KEY: KEY });

describe('--output FILE', () => {
  it('replaces the previous file only on success, owner-only, with no partial file left', async () => {
    const file = join(dir, 'events.csv');
    writeFileSync(file, PREVIOUS, { mode: 0o644 });
    const r = await cli(['events', '--demo', '--since', '3d', '--output', file, '-q']);
    expect(r.code, r.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^ID,Date,User/);
    expect(text.split('\n').length).toBeGreaterThan(10);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir)).toEqual(['events.csv']);
  });

  it('a run that fails half-way leaves the previous file untouched and removes the partial one', async () => {
    const server = await scriptedServer(body(404, 'text/html', '<html>Not Found</html>'));
    servers.push(server);
    const file = join(dir, 'events.csv');
    writeFileSync(file, PREVIOUS);
    const r = await cli(['events', '--output', file, '--retries', '0'], portalEnv(server.url));
    expect(r.code).toBe(5);
    expect(readFileSync(file, 'utf8')).toBe(PREVIOUS);
    expect(readdirSync(dir)).toEqual(['events.csv']);
  });

  it('Ctrl-C during an export exits 130, keeps the previous file and removes the partial one', async () => {
    // The portal never answers: the export is under way (FILE's partial twin open) once the first
    // request arrives, and stays there until the signal.
    let arrived!: () => void;
    const requested = new Promise<void>((r) => (arrived = r));
    const server = await scriptedServer(() => arrived());
    servers.push(server);
    const file = join(dir, 'events.csv');
    writeFileSync(file, PREVIOUS);
    const child = spawn(process.execPath, [CLI, 'events', '--output', file], {
      env: cleanEnv(portalEnv(server.url)),
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    await requested;
    expect(readdirSync(dir).some((f) => f.endsWith('.partial'))).toBe(true);
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(readFileSync(file, 'utf8')).toBe(PREVIOUS);
    expect(readdirSync(dir)).toEqual(['events.csv']);
  });

  it('a full disk is an I/O error (exit 8) that names the path', async () => {
    const r = await cli(['events', '--demo', '--since', '3d', '--output', '/dev/full', '--format', 'csv']);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^error: Cannot write \/dev\/full: no space left on the device \(ENOSPC\)/m);
    expect(r.stderr).not.toMatch(/internal error/);
  });

  it('a folder that does not exist is an I/O error (exit 8) that names the path', async () => {
    const file = join(dir, 'missing', 'events.csv');
    const r = await cli(['profiles', 'list', '--output', file], { XDG_CONFIG_HOME: dir });
    expect(r.code).toBe(8);
    expect(r.stderr).toContain(`error: Cannot write ${file}: the folder does not exist (ENOENT)`);
  });

  it('--help documents exit code 8 and 130', async () => {
    const r = await cli(['--help']);
    expect(r.stdout).toMatch(/^ {2}8 {2}local I\/O: /m);
    expect(r.stdout).toMatch(/^ {2}130 {2}interrupted/m);
  });
});
