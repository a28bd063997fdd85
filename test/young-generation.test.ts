// `events` (live, and from the archive) and `sync` hold the main thread's young generation at two
// 4 MB semi-spaces while the history streams (cli/young-generation.ts): V8 would grow it to 32 MB,
// and the old generation's limit with it. Once the hold ends, V8 may grow it one step (to 16 MB): what survived scavenges
// meanwhile still counts.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import { cli } from './helpers/cli.js';

/** Preloaded into the CLI: the main thread's largest new space, written to a file at exit. */
const PROBE = `
if (require('node:worker_threads').isMainThread) {
const { getHeapSpaceStatistics } = require('node:v8');
const { writeFileSync } = require('node:fs');
let max = 0;
const look = () => {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  if (s && s.space_size > max) max = s.space_size;
};
setInterval(look, 2).unref();
process.on('exit', () => { look(); writeFileSync(process.env.PROBE_OUT, String(max)); });
}
`;

let emu: RunningEmulator;
let dir: string;

beforeAll(async () => {
  emu = await startEmulator({ seed: 5, users: 50, events: 60_000, days: 30, now: Date.parse('2026-03-01T12:00:00Z') });
  dir = mkdtempSync(join(tmpdir(), 'dl-young-'));
  writeFileSync(join(dir, 'probe.cjs'), PROBE);
});

afterAll(async () => {
  await emu?.close();
});

/** Run the CLI against the emulator with the probe: its result and the largest new space in MB. */
async function probed(args: string[]): Promise<{ code: number; stdout: string; stderr: string; newSpaceMb: number }> {
  const out = join(dir, `max-${args[0]}`);
  const r = await cli(args, {
    DOCSPACE_URL: emu.url,
    DOCSPACE_API_KEY: emu.apiKey,
    NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}`,
    PROBE_OUT: out,
  });
  return { ...r, newSpaceMb: Number(readFileSync(out, 'utf8')) / 1024 / 1024 };
}

describe('the young generation while a history streams', () => {
  it('events: 60,000 live events with a new space of at most 16 MB (32 MB without the hold)', async () => {
    const r = await probed(['events', '--format', 'ndjson', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(60_000);
    expect(r.newSpaceMb).toBeLessThanOrEqual(16);
  });

  it('sync: a first sync of the 60,000 events the same (32 MB without the hold)', async () => {
    const r = await probed(['sync', '--db', join(dir, 'archive.sqlite'), '-q', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect((JSON.parse(r.stdout) as { added: number }).added).toBe(60_000);
    expect(r.newSpaceMb).toBeLessThanOrEqual(16);
  });

  // 60,000 rows grow it to 16 MB without the hold (1M rows to 32 MB), held: 8 MB. Nothing is
  // left to survive a scavenge once the segments are written, so it does not grow after the hold.
  it('events --archive: the same events from the archive as CSV, in segments on two threads, at 8 MB (16 MB without the hold)', async () => {
    const db = join(dir, 'exported.sqlite');
    const env = { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey };
    expect((await cli(['sync', '--db', db, '-q'], env)).code).toBe(0);
    const r = await probed(['events', '--archive', '--db', db, '--since', 'all', '--format', 'csv', '--no-mask-logins', '-q']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(60_001);
    expect(r.newSpaceMb).toBeLessThanOrEqual(8);
  });
});
