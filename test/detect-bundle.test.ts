/**
 * The built CLI reads a long detection scan on a worker thread (store/scan-thread.ts) past the
 * first 50,000 rows of an archive file. Smaller archives never get there, and the worker runs from
 * its own source text, which the bundler once rewrote into code that could not load its driver
 * (`__require is not defined`): this runs `detect` from dist/ over an archive past that point.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const BUILD = fileURLToPath(new URL('../bench/tasks/build-archive.mjs', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'dl-detect-bundle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('detect from the built CLI over more events than the scan reads on the main thread', () => {
  it('hands the scan to its worker and finds what the archive holds', async () => {
    const db = join(dir, 'big.sqlite');
    // The benchmarks' archive builder (60,000 events over 30 days, rollups as sync writes them).
    await promisify(execFile)(process.execPath, [BUILD, db, '60000', '30'], { timeout: 120_000 });
    const r = await cli(['detect', '--db', db, '--all', '--since', 'all', '--format', 'ndjson'], {}, 120_000);
    expect(r.stderr).not.toMatch(/require|internal error|Error:/);
    expect(r.code).toBe(0);
    const findings = r.stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { rule: string });
    expect(findings.length).toBeGreaterThan(0);
    // A second run over the same archive creates nothing new and finds the same.
    const again = await cli(['detect', '--db', db, '--all', '--since', 'all', '--format', 'ndjson'], {}, 120_000);
    expect(again.code).toBe(0);
    expect(again.stdout.trim().split('\n').filter(Boolean).length).toBe(findings.length);
  }, 300_000);
});
