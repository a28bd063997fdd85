/**
 * `docspace-logins serve` options that need no browser: `--open` hands the printed link to the
 * opener (injected here: a test never launches a real browser), and `--profile` picks the
 * portal the pages show first and the one actions go to, over an archive of two portals.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerServeCommand, serveCommand, startServe } from '../src/cli/commands/serve.js';
import { type CliIo, Reporter } from '../src/cli/io.js';
import { addProfile } from '../src/config/profiles.js';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { openStore } from '../src/store/index.js';
import { syncInto } from './helpers/archive.js';

const NOW = Date.parse('2025-07-01T10:00:00Z');
let a: RunningEmulator;
let b: RunningEmulator;
let dir: string;
let db: string;
const ids = new Map<string, number>();

beforeAll(async () => {
  a = await startEmulator({ now: NOW, seed: 51, events: 200, days: 10 });
  b = await startEmulator({ now: NOW, seed: 52, events: 300, days: 10 });
  dir = mkdtempSync(join(tmpdir(), 'dl-serve-'));
  db = join(dir, 'a.sqlite');
  await syncInto(a, db);
  await syncInto(b, db);
  const store = await openStore(db, { readOnly: true });
  for (const p of await store.portals()) ids.set(p.url, p.id);
  await store.close();
  addProfile('beta', { portal: b.url, apiKeyEnv: 'BETA_KEY' }, shell().env);
}, 60_000);
afterAll(async () => {
  await a?.close();
  await b?.close();
});

/** A shell of its own: config in the test's folder, no portal from the environment. */
function shell(): CliIo & { text: () => string } {
  let text = '';
  const sink = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
  const env = { ...process.env, XDG_CONFIG_HOME: join(dir, 'config'), HOME: dir, DOCSPACE_URL: undefined, DOCSPACE_API_KEY: undefined, DOCSPACE_LOGINS_DB: undefined };
  return { stdout: sink, stderr: sink, env, text: () => text };
}

const picked = (page: string) => /<select name="portal">[^]*?<option value="([^"]+)" selected>/.exec(page)?.[1];

describe('serve --open', () => {
  it('hands the printed link to the opener once, and stops when told', async () => {
    const io = shell();
    const opened: string[] = [];
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = serveCommand({ db, port: '0', open: true }, io, new Reporter(io), {
      openBrowser: async (url) => {
        opened.push(url);
        // The page the browser would load answers.
        expect((await fetch(url)).status).toBe(200);
        stop();
      },
      stopped,
    });
    expect(await done).toBe(0);
    expect(opened).toHaveLength(1);
    expect(io.text()).toContain(`Dashboard: ${opened[0]}\n`);
  });

  it('an opener that cannot start is a warning with the link, and the dashboard keeps serving', async () => {
    const io = shell();
    let stop!: () => void;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const done = serveCommand({ db, port: '0', open: true }, io, new Reporter(io), {
      openBrowser: () => Promise.reject(new Error('spawn xdg-open ENOENT')),
      stopped,
    });
    // The warning comes after the rejected opener settles; wait for it without a clock.
    for (let i = 0; i < 1000 && !io.text().includes('could not open a browser'); i++) await new Promise((r) => setImmediate(r));
    const link = /Dashboard: (\S+)/.exec(io.text())![1];
    expect(io.text()).toContain(`warning: could not open a browser: open ${link} yourself`);
    expect((await fetch(link)).status).toBe(200);
    stop();
    expect(await done).toBe(0);
  });

  it('without --open nothing is opened', async () => {
    const io = shell();
    const opened: string[] = [];
    expect(await serveCommand({ db, port: '0' }, io, new Reporter(io, true), { openBrowser: async (u) => void opened.push(u), stopped: Promise.resolve() })).toBe(0);
    expect(opened).toEqual([]);
  });
});

describe('serve --profile', () => {
  it("shows the profile's portal first; the picker still offers all", async () => {
    const io = shell();
    const serving = await startServe({ db, port: '0', profile: 'beta' }, io, new Reporter(io, true));
    try {
      const page = await (await fetch(serving.url)).text();
      expect(picked(page)).toBe(String(ids.get(b.url)));
      expect(page).toContain('<option value="all">All portals</option>');
      const csv = await (await fetch(new URL('/events/export.csv?period=all', serving.url))).text();
      expect(csv.trim().split('\n')).toHaveLength(1 + 300);
    } finally {
      await serving.close();
    }
    // --all: every portal (without it, beta is also the default profile, which the scope rule follows).
    const all = await startServe({ db, port: '0', all: true }, io, new Reporter(io, true));
    try {
      expect(picked(await (await fetch(all.url)).text())).toBe('all');
    } finally {
      await all.close();
    }
  });

  it('without --profile, --portal or --all the default profile is shown first, as --help says (the portal rule)', async () => {
    const io = shell();
    const serving = await startServe({ db, port: '0' }, io, new Reporter(io, true));
    try {
      expect(picked(await (await fetch(serving.url)).text())).toBe(String(ids.get(b.url)));
    } finally {
      await serving.close();
    }
    const help = registerServeCommand(new Command(), { commonOptions: (c) => c, action: () => async () => {} })
      .helpInformation()
      .replace(/\s+/g, ' ');
    expect(help).not.toContain('the default without --profile/--portal');
    expect(help).toMatch(/--all every archived portal \(the default when no portal is configured: [^)]*default profile\)/);
  });

  it("with --allow-actions acts on the profile's portal, with the profile's key", async () => {
    const io = shell();
    io.env.BETA_KEY = b.apiKey;
    const serving = await startServe({ db, port: '0', profile: 'beta', allowActions: true }, io, new Reporter(io));
    try {
      expect(io.text()).toContain(`Actions act on beta (${b.url})`);
    } finally {
      await serving.close();
    }
  });

  it('an unknown profile is a usage error naming the known ones, before a port is bound', async () => {
    const io = shell();
    await expect(startServe({ db, port: '0', profile: 'gamma' }, io, new Reporter(io, true))).rejects.toThrow(/No profile named "gamma" \(known: beta\)/);
  });
});
