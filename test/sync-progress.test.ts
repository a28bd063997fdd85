// A first sync's progress is measured against the history the portal holds, not its retention.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { DocSpaceClient, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncPortal } from '../src/sync/index.js';

const open: Array<{ close(): Promise<void> | void }> = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

it('ends at 100% when 60 days are all a portal with 180-day retention holds', async () => {
  const emu = await startEmulator({ now: Date.parse('2025-07-01T10:00:00Z'), seed: 8, events: 6000, days: 60, lifetimeDays: 180 });
  open.push(emu);
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  open.push(client);
  const store = await openStore(join(mkdtempSync(join(tmpdir(), 'dl-progress-')), 'a.sqlite'));
  open.push(store);
  let last = 0;
  await syncPortal(client, store, {
    now: () => emu.state.now(),
    onProgress: (p) => {
      if (p.oldest !== undefined) last = (p.now - p.oldest) / (p.now - p.floor);
    },
  });
  // Before, the bar stopped at about a third (60 of 180 days) when the read was done.
  expect(last).toBeGreaterThan(0.97);
  expect(last).toBeLessThanOrEqual(1.01);
});

it('a live read with --since long ago ends at 100%, measured against the history the portal holds', async () => {
  const { startRead } = await import('../src/cli/read.js');
  const { Reporter } = await import('../src/cli/io.js');
  const { Writable } = await import('node:stream');
  // The emulator's clock is the real one here: startRead measures from Date.now().
  const emu = await startEmulator({ seed: 9, events: 4000, days: 60, lifetimeDays: 180 });
  open.push(emu);
  const client = new DocSpaceClient({ portal: emu.url, credentials: { kind: 'apiKey', apiKey: emu.apiKey } });
  open.push(client);
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const shares: number[] = [];
  let stopped = false;
  const read = startRead(client, { since: Date.parse('2020-01-01T00:00:00Z') }, new Reporter({ stdout: sink, stderr: sink, env: {} }), {
    progress: {
      update: (done, total) => {
        if (total !== undefined) shares.push(done / total);
      },
      stage: () => undefined,
      stop: () => (stopped = true),
    },
  });
  let n = 0;
  for await (const _ of read.events) n++;
  expect(read.finish().exitCode).toBe(0);
  expect(n).toBeGreaterThan(3000);
  expect(stopped).toBe(true);
  // Before, the bar measured back to 2020 and its last figure was about 3%.
  expect(shares.at(-1)).toBe(1);
  // Along the way it measured at most back to the retention limit (60 of 180 days: a third), never to
  // the years asked; the oldest event held, probed alongside the read, narrows it further when it
  // answers first (a race this test does not depend on).
  const beforeEnd = shares.slice(0, -1);
  expect(Math.max(...beforeEnd)).toBeGreaterThan(0.3);
  expect(Math.max(...shares)).toBeLessThanOrEqual(1);
});

it('sync --all on a terminal shows one progress line per portal', async () => {
  const { writeFileSync } = await import('node:fs');
  const { cli } = await import('./helpers/cli.js');
  const now = Date.parse('2025-07-01T10:00:00Z');
  const a = await startEmulator({ now, seed: 12, events: 2000 });
  const b = await startEmulator({ now, seed: 13, events: 3000 });
  open.push(a, b);
  const dir = mkdtempSync(join(tmpdir(), 'dl-cfg-'));
  const keyFile = join(dir, 'b.key');
  writeFileSync(keyFile, b.apiKey, { mode: 0o600 });
  const env = { XDG_CONFIG_HOME: dir, KEY_A: a.apiKey, COLUMNS: '120' };
  expect((await cli(['profiles', 'add', 'alpha', '--portal', a.url, '--key-env', 'KEY_A'], env)).code).toBe(0);
  expect((await cli(['profiles', 'add', 'beta', '--portal', b.url, '--key-file', keyFile], env)).code).toBe(0);
  // A real terminal (util-linux `script` gives the CLI a pty): progress bars draw only on one.
  const { spawnSync, execFile } = await import('node:child_process');
  const { CLI, cleanEnv } = await import('./helpers/cli.js');
  if (spawnSync('script', ['--version']).error) return;
  const command = `${process.execPath} ${CLI} sync --all --db ${join(dir, 'a.sqlite')}`;
  // Asynchronously: the emulators answering it live in this process.
  const r = await new Promise<{ code: number; stderr: string }>((resolve) => {
    execFile('script', ['-qec', command, '/dev/null'], { env: cleanEnv(env), timeout: 120_000 }, (err, stdout) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stderr: String(stdout).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '') });
    });
  });
  expect(r.code, r.stderr).toBe(0);
  expect(r.stderr).toMatch(/alpha \[.*\] 100% \| \d+ events/);
  expect(r.stderr).toMatch(/beta \[.*\] 100% \| \d+ events/);
  expect(r.stderr).toMatch(/2 of 2 portals synced/);
});
