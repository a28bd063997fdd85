/**
 * NDJSON, CSV and XLSX archive exports read packed rows (src/store/packed-rows.ts) and make the text of
 * a row's rest once per distinct value (src/export/packed.ts). Whatever the values hold (the separator
 * itself, nulls, empty strings, quotes, non-Latin text, typed logins that get masked), the bytes
 * must be those of `eventJsonText` (or the CSV or XLSX writer) over the general read path, on one
 * thread and on two.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ExportFormat, exportArchive } from '../src/export/parallel.js';
import type { LoginEvent } from '../src/model/event.js';
import { eventColumns } from '../src/output/columns.js';
import { createWriter, selectColumns } from '../src/output/index.js';
import { openSheet } from '../src/output/xlsx.js';
import { eventJsonText } from '../src/output/json-text.js';
import { loginMasker } from '../src/output/masked-logins.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { packs } from '../src/export/packed.js';
import { unpackRow } from '../src/store/packed-rows.js';
import { cli } from './helpers/cli.js';
import { sampleEvent } from './helpers/events.js';
import { unzipEntries } from './helpers/unzip.js';

// More than two segments of 16,384 rows, so that the CLI's worker thread formats some of them.
const COUNT = 40_000;
const START = Date.UTC(2025, 5, 1);
let store: ArchiveStore;
let file: string;
let portal: number;

/** Odd values every few rows, among ordinary sessions that repeat. */
function crafted(i: number): LoginEvent {
  const base = sampleEvent({ id: i + 1 });
  const odd = i % 7;
  return {
    ...base,
    time: START + i * 60_000,
    offsetMinutes: i % 3 === 0 ? 120 : -300,
    userId: `user-${i % 11}`,
    user: odd === 1 ? 'Zoë "Z" Żółć' : `Member ${i % 11}`,
    city: odd === 2 ? 'Split\x1fCity' : odd === 3 ? '' : base.city,
    browser: odd === 4 ? null : odd === 5 ? '' : base.browser,
    platform: odd === 4 ? null : base.platform,
    page: odd === 6 ? null : base.page,
    ...(i % 13 === 0
      ? { anonymous: true, login: i % 26 === 0 ? 'pw-Secret\x1f99!' : 'Hunter2-pass', actionId: 1002, kind: 'failure' as const, userId: '00000000-0000-0000-0000-000000000000' }
      : {}),
  };
}

beforeAll(async () => {
  file = join(mkdtempSync(join(tmpdir(), 'dl-packed-')), 'archive.sqlite');
  store = await openStore(file);
  portal = await store.ensurePortal({ url: 'https://packed.example.com' });
  await store.insertEvents(portal, Array.from({ length: COUNT }, (_, i) => crafted(i)));
});
afterAll(async () => {
  await store?.close();
});

async function exported(how: ExportFormat, opts: { parallel: boolean; segmentRows: number }): Promise<string> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  const n = await exportArchive(store, portal, {}, how, sink, opts);
  expect(n).toBe(COUNT);
  return Buffer.concat(parts).toString('utf8');
}

/** The general path: every event read as a LoginEvent, its text made whole. */
async function reference(mask?: (e: LoginEvent) => LoginEvent): Promise<string> {
  let text = '';
  for await (const chunk of store.queryLoginEventChunks({ portalIds: [portal] })) {
    for (const e of chunk) text += `${eventJsonText(mask ? mask(e) : e)}\n`;
  }
  return text;
}

/** The general path's CSV: every event read as a LoginEvent, through the CSV writer. */
async function csvReference(how: ExportFormat): Promise<string> {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  const writer = createWriter<LoginEvent>('csv', { columns: eventColumns, sink, excel: how.excel, select: how.select });
  for await (const chunk of store.queryLoginEventChunks({ portalIds: [portal] })) {
    for (const e of chunk) await writer.write(e);
  }
  await writer.end();
  return Buffer.concat(parts).toString('utf8');
}

/** The first line where `got` and `want` differ (a diff of 17 MB strings takes minutes), or undefined. */
function firstDifference(got: string, want: string): { line: number; got?: string; want?: string } | undefined {
  if (got === want) return undefined;
  const [a, b] = [got.split('\n'), want.split('\n')];
  const line = a.findIndex((l, i) => l !== b[i]);
  const at = line < 0 ? a.length : line;
  return { line: at, got: a[at], want: b[at] };
}

describe('packed NDJSON export', () => {
  it('gives the bytes of the general path, in segments', async () => {
    const want = await reference();
    expect(want.split('\n')).toHaveLength(COUNT + 1);
    expect(want).toContain('Split\\u001fCity');
    expect(firstDifference(await exported({ format: 'ndjson' }, { parallel: false, segmentRows: 3_000 }), want)).toBeUndefined();
  });

  it('masks typed logins as the general path masks them, the separator in one included', async () => {
    const mask = { key: 'k'.repeat(32) };
    const want = await reference(loginMasker(mask));
    expect(want).not.toContain('Hunter2-pass');
    expect(want).not.toContain('pw-Secret');
    expect(firstDifference(await exported({ format: 'ndjson', maskLogins: mask }, { parallel: false, segmentRows: 3_000 }), want)).toBeUndefined();
  });

  it('gives the same bytes through the CLI, whose worker thread formats some segments', async () => {
    await store.close();
    const r = await cli(['events', '--archive', '--db', file, '--format', 'ndjson', '--no-mask-logins', '-q']);
    store = await openStore(file);
    expect(r.stderr).toBe('');
    expect(firstDifference(r.stdout, await reference())).toBeUndefined();
  });

  it.each([
    ['all columns', { format: 'csv' }],
    ['for Excel', { format: 'csv', excel: true }],
    ['shared columns only', { format: 'csv', select: ['user', 'city', 'browser', 'anonymous'] }],
    ['own columns only', { format: 'csv', select: ['date', 'id'] }],
  ] as const)('gives the CSV of the general path: %s', async (_, how) => {
    expect(packs(how)).toBe(true);
    const want = await csvReference(how);
    // The odd rows are there, whatever the columns: the unpacking saw them all the same.
    expect(want.split('\n').length).toBeGreaterThan(COUNT);
    expect(firstDifference(await exported(how, { parallel: false, segmentRows: 3_000 }), want)).toBeUndefined();
  });

  it('does not pack CSV whose own columns come after shared ones, nor NDJSON of some fields', () => {
    expect(packs({ format: 'csv', select: ['user', 'date'] })).toBe(false);
    expect(packs({ format: 'ndjson', fields: ['id', 'user'] })).toBe(false);
    expect(packs({ format: 'ecs' })).toBe(false);
  });

  it('gives the same CSV through the CLI, for Excel, whose worker thread formats some segments', async () => {
    await store.close();
    const r = await cli(['events', '--archive', '--db', file, '--format', 'csv', '--excel', '--no-mask-logins', '-q']);
    store = await openStore(file);
    expect(r.stderr).toBe('');
    expect(firstDifference(r.stdout, await csvReference({ format: 'csv', excel: true }))).toBeUndefined();
  });

  it('unpacks a row only when its values cannot be confused', () => {
    const ok = unpackRow([7, 1000, 60, ['u', 'U', '\x02typed', '1', '1002', 'A', 'failure', 'ip', 'C', 'c', '', '\x02', '\x02p'].join('\x1f')]);
    expect(ok?.slice(1)).toEqual([7, 1000, 60, 'u', 'U', 'typed', 1, 1002, 'A', 'failure', 'ip', 'C', 'c', null, '', 'p']);
    expect(unpackRow([7, 1000, 60, ['u', 'U\x1fX', '', '0', '1', 'A', 'success', 'ip', 'C', 'c', '', '', ''].join('\x1f')])).toBeUndefined();
  });
});

/** Everything written to a sink, as bytes. */
function collector(): { sink: Writable; bytes: () => Buffer } {
  const parts: Buffer[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      parts.push(Buffer.from(chunk));
      done();
    },
  });
  return { sink, bytes: () => Buffer.concat(parts) };
}

/** The general path's workbook: every event read as a LoginEvent, through the XLSX writer. */
async function xlsxReference(how: ExportFormat, mask?: (e: LoginEvent) => LoginEvent): Promise<Map<string, Buffer>> {
  const out = collector();
  const writer = createWriter<LoginEvent>('xlsx', { columns: eventColumns, sink: out.sink, select: how.select });
  for await (const chunk of store.queryLoginEventChunks({ portalIds: [portal] })) {
    for (const e of chunk) await writer.write(mask ? mask(e) : e);
  }
  await writer.end();
  return unzipEntries(out.bytes());
}

/** The exporter's workbook: the rows made in segments, on one thread or two. */
async function xlsxExported(how: ExportFormat, opts: { parallel: boolean; segmentRows: number }): Promise<Map<string, Buffer>> {
  const out = collector();
  const sheet = await openSheet({ sink: out.sink, columns: selectColumns(eventColumns, { select: how.select }) });
  const n = await exportArchive(store, portal, {}, how, sheet.rows, opts);
  expect(n).toBe(COUNT);
  await sheet.end(n + 1);
  return unzipEntries(out.bytes());
}

/** The parts whose text differs between two workbooks, with the first differing line of each. */
function differentParts(got: Map<string, Buffer>, want: Map<string, Buffer>): Record<string, unknown> {
  expect([...got.keys()]).toEqual([...want.keys()]);
  const out: Record<string, unknown> = {};
  for (const [name, bytes] of want) {
    const mine = got.get(name) ?? Buffer.alloc(0);
    if (!mine.equals(bytes)) out[name] = firstDifference(mine.toString('utf8').replace(/<row /g, '\n<row '), bytes.toString('utf8').replace(/<row /g, '\n<row '));
  }
  return out;
}

describe('packed XLSX export', () => {
  it.each([
    ['all columns', { format: 'xlsx' }],
    ['shared columns only', { format: 'xlsx', select: ['user', 'city', 'browser', 'anonymous'] }],
    ['own columns only', { format: 'xlsx', select: ['date', 'id'] }],
  ] as const)('gives the workbook of the general path: %s', async (_, how) => {
    expect(packs(how)).toBe(true);
    const want = await xlsxReference(how);
    const sheet = want.get('xl/worksheets/sheet1.xml')?.toString('utf8') ?? '';
    // Every row is there, numbered on across segments, and the odd values with them.
    expect(sheet).toContain(`<row r="${COUNT + 1}">`);
    expect(differentParts(await xlsxExported(how, { parallel: false, segmentRows: 3_000 }), want)).toEqual({});
  });

  it('masks typed logins as the general path masks them', async () => {
    const mask = { key: 'k'.repeat(32) };
    const want = await xlsxReference({ format: 'xlsx' }, loginMasker(mask));
    expect(want.get('xl/worksheets/sheet1.xml')?.toString('utf8')).not.toContain('Hunter2-pass');
    expect(differentParts(await xlsxExported({ format: 'xlsx', maskLogins: mask }, { parallel: false, segmentRows: 3_000 }), want)).toEqual({});
  });

  // The CLI's bundle has the worker thread (a test's source tree has no worker.js to start).
  it('gives the same workbook through the CLI, whose worker thread makes some rows, and through the general path for columns it cannot pack', async () => {
    expect(packs({ format: 'xlsx', select: ['user', 'date'] })).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), 'dl-packed-xlsx-'));
    await store.close();
    const all = await cli(['events', '--archive', '--db', file, '--output', join(dir, 'all.xlsx'), '--no-mask-logins', '-q']);
    const some = await cli(['events', '--archive', '--db', file, '--output', join(dir, 'some.xlsx'), '--columns', 'user,date', '--no-mask-logins', '-q']);
    store = await openStore(file);
    expect([all.stderr, some.stderr]).toEqual(['', '']);
    expect(differentParts(unzipEntries(readFileSync(join(dir, 'all.xlsx'))), await xlsxReference({ format: 'xlsx' }))).toEqual({});
    const picked = { format: 'xlsx', select: ['user', 'date'] } as const;
    expect(differentParts(unzipEntries(readFileSync(join(dir, 'some.xlsx'))), await xlsxReference(picked))).toEqual({});
  });

  it('tells a full disk met on two threads as the I/O error it is (exit 8)', async (ctx) => {
    if (!existsSync('/dev/full')) return ctx.skip('no /dev/full on this system');
    await store.close();
    const r = await cli(['events', '--archive', '--db', file, '--output', '/dev/full', '--format', 'xlsx', '--no-mask-logins', '-q']);
    store = await openStore(file);
    expect(r.code).toBe(8);
    expect(r.stderr).toMatch(/^error: Cannot write \/dev\/full: no space left on the device \(ENOSPC\)/m);
  });
});
