// `events` holds the main thread's young generation at two 4 MB semi-spaces while it streams
// (cli/young-generation.ts): V8 would grow it to 32 MB, and the old generation's limit with it.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningEmulator, startEmulator } from '../src/emulator/index.js';
import { cli } from './helpers/cli.js';

/** Preloaded into the CLI: the largest new space it had, written to a file when it exits. */
const PROBE = `
const { getHeapSpaceStatistics } = require('node:v8');
const { writeFileSync } = require('node:fs');
let max = 0;
const look = () => {
  const s = getHeapSpaceStatistics().find((x) => x.space_name === 'new_space');
  if (s && s.space_size > max) max = s.space_size;
};
setInterval(look, 2).unref();
process.on('exit', () => { look(); writeFileSync(process.env.PROBE_OUT, String(max)); });
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

describe('events and the young generation', () => {
  it('streams 60,000 live events with a new space of at most 8 MB (32 MB without the hold)', async () => {
    const out = join(dir, 'max');
    const r = await cli(['events', '--format', 'ndjson', '-q'], {
      DOCSPACE_URL: emu.url,
      DOCSPACE_API_KEY: emu.apiKey,
      NODE_OPTIONS: `--require ${join(dir, 'probe.cjs')}`,
      PROBE_OUT: out,
    });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(60_000);
    expect(Number(readFileSync(out, 'utf8')) / 1024 / 1024).toBeLessThanOrEqual(8);
  });
});
