/**
 * The table renderer every command prints through: which columns fit a terminal, how they are
 * cut, colour, relative times, column and JSON field selection.
 */
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import type { LoginEvent } from '../src/index.js';
import {
  type Column,
  colorEnabled,
  createWriter,
  EVENT_FIELDS,
  eventColumns,
  eventJson,
  fitColumns,
  timeAgo,
  truncate,
  userActivityColumns,
  type WriterOptions,
} from '../src/output/index.js';

import { sampleEvent } from './helpers/events.js';

const GUEST = '712d9ec3-5d2b-4b13-824f-71f00191dcca';
const ESC = '\u001b';

const event = (over: Partial<Record<string, unknown>> = {}): LoginEvent =>
  sampleEvent({ page: 'https://acme.example.com/a/rather/long/path/to/the/login/page', ...over });

const failure = (over: Partial<Record<string, unknown>> = {}) =>
  event({ id: 2, actionId: 1005, action: 'Login Fail', userId: '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01', ...over });
const anonymousFailure = () => event({ id: 3, actionId: 1013, action: 'Login Fail. User not found', userId: GUEST, user: '', login: 'admin' });
const lockout = () => event({ id: 4, actionId: 1023, action: 'Login Fail. Too many attempts', login: 'anna' });

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString('utf8');
    cb();
  }
}

async function render<T>(
  format: Parameters<typeof createWriter>[0],
  rows: T[],
  opts: Partial<WriterOptions<T>> & { columns: ReadonlyArray<Column<T>> },
): Promise<string> {
  const sink = new Collect();
  const w = createWriter<T>(format, { sink, ...opts });
  for (const r of rows) await w.write(r);
  await w.end();
  return sink.text;
}

const events = (rows: LoginEvent[], opts: Partial<WriterOptions<LoginEvent>> = {}) =>
  render('table', rows, { columns: eventColumns, json: eventJson, ...opts });
const lines = (text: string) => text.split('\n').filter(Boolean);
const header = (text: string) => lines(text)[0].trim().split(/\s{2,}/);

describe('fitting a table to the terminal', () => {
  it.each([80, 100, 120])('no line of the events table is wider than %i columns', async (width) => {
    const text = await events([event(), failure(), anonymousFailure(), lockout()], { width });
    expect(text).not.toContain(ESC);
    for (const l of lines(text)) expect(Array.from(l).length).toBeLessThanOrEqual(width);
  });

  it('at 80 columns keeps the columns that matter: time, user, kind, IP, country', async () => {
    const text = await events([event(), failure()], { width: 80 });
    const cols = header(text);
    expect(cols).toEqual(expect.arrayContaining(['Date', 'User', 'Kind', 'IP', 'Country']));
    for (const gone of ['Page', 'Platform', 'Browser', 'City']) expect(cols).not.toContain(gone);
    // The time at the event's own offset, whole, as the portal shows it; the IP whole too.
    expect(text).toContain('2025-06-03T14:05:09+02:00');
    expect(text).toContain('203.0.113.24');
  });

  it('at 120 columns adds what fits and drops page, platform, browser and city first', async () => {
    const text = await events([event(), failure()], { width: 120 });
    const cols = header(text);
    expect(cols).toEqual(expect.arrayContaining(['Date', 'User', 'Kind', 'IP', 'Country']));
    expect(cols.length).toBeGreaterThan(5);
    for (const gone of ['Page', 'Platform']) expect(cols).not.toContain(gone);
  });

  it('without a width every column but the wide-only ones is shown, and lines run long', async () => {
    const text = await events([event()]);
    expect(header(text)).toEqual(eventColumns.filter((c) => !c.wideOnly).map((c) => c.header));
    expect(Math.max(...lines(text).map((l) => l.length))).toBeGreaterThan(120);
  });

  it('--wide shows every column, the user id and anonymous flag too', async () => {
    const text = await events([event()], { wide: true });
    expect(header(text)).toEqual(eventColumns.map((c) => c.header));
  });

  it('--columns shows the named columns in that order, cut to fit rather than dropped', async () => {
    const text = await events([event()], { select: ['ip', 'page', 'date'], width: 50 });
    expect(header(text)).toEqual(['IP', 'Page', 'Date']);
    const row = lines(text)[1];
    expect(Array.from(row).length).toBeLessThanOrEqual(50);
    expect(row).toContain('…');
  });

  it('--columns with an unknown name is a usage error listing the names', async () => {
    await expect(events([event()], { select: ['date', 'nope'] })).rejects.toMatchObject({
      code: 'usage',
      message: expect.stringMatching(/Unknown column "nope"[\s\S]*\bcountry\b/),
    });
  });

  it('shrinks optional columns first, then drops them from the right; a column that matters stays whole', () => {
    const cols = [
      { header: 'A', natural: 30, keep: true },
      { header: 'B', natural: 30 },
      { header: 'C', natural: 30 },
    ];
    const roomy = fitColumns(cols, 64);
    expect(roomy.shown).toEqual([0, 1, 2]);
    expect(roomy.widths[0]).toBe(30);
    expect(roomy.widths[1] + roomy.widths[2]).toBe(64 - 30 - 4);
    const narrow = fitColumns(cols, 50);
    expect(narrow.shown).toEqual([0, 1]);
    expect(narrow.widths[0]).toBe(30);
    expect(narrow.widths[1]).toBe(50 - 30 - 2);
    expect(fitColumns(cols, undefined)).toEqual({ shown: [0, 1, 2], widths: [30, 30, 30] });
  });

  it('never cuts a number', () => {
    const fit = fitColumns(
      [
        { header: 'Name', natural: 40, keep: true },
        { header: 'Events', natural: 9, keep: true, kind: 'number' },
      ],
      30,
    );
    expect(fit.shown).toEqual([0, 1]);
    expect(fit.widths[1]).toBe(9);
    expect(fit.widths[0]).toBe(30 - 9 - 2);
  });

  it('never cuts an id meant to be copied, however long: the other columns give way', async () => {
    const id = 'ops:history:https://portal.of.a.rather.long.name.example.com:1796262129393:1';
    type Row = { title: string; id: string };
    const columns: Array<Column<Row>> = [
      { key: 'title', header: 'Title', value: (r) => r.title, keep: true },
      { key: 'id', header: 'Alert id', value: (r) => r.id, whole: true },
    ];
    const text = await render<Row>('table', [{ title: '128 findings in the history read', id }], { columns, width: 100 });
    expect(text).toContain(id);
    for (const l of lines(text)) expect(Array.from(l).length).toBeLessThanOrEqual(100);
    // Narrower than the id itself: the line is left to wrap rather than cut the id.
    const narrow = await render<Row>('table', [{ title: 'x', id }], { columns, width: 40 });
    expect(narrow).toContain(id);
  });

  it('cuts with an ellipsis, by characters rather than bytes', () => {
    expect(truncate('Zimmermann', 6)).toBe('Zimme…');
    expect(truncate('Дмитрий Иванов', 8)).toBe('Дмитрий…');
    expect(truncate('short', 8)).toBe('short');
  });

  it('an empty result prints nothing, not a bare header', async () => {
    expect(await events([], { width: 80 })).toBe('');
  });
});

describe('colour', () => {
  it('bold headers, failures red, successes green, lockouts and anonymous failures highlighted', async () => {
    const text = await events([event(), failure(), anonymousFailure(), lockout()], { width: 120, color: true });
    const [head, ok, failed, anonymous, locked] = lines(text);
    expect(head).toContain(`${ESC}[1mDate${ESC}[22m`);
    expect(ok).toContain(`${ESC}[32msuccess${ESC}[39m`);
    expect(failed).toContain(`${ESC}[31mfailure${ESC}[39m`);
    expect(anonymous).toContain(`${ESC}[1;31mfailure`);
    expect(locked).toContain(`${ESC}[1;31mfailure`);
    // Colour codes take no room: the visible line still fits.
    for (const l of lines(text)) expect(Array.from(l.replace(/\u001b\[[0-9;]*m/g, '')).length).toBeLessThanOrEqual(120);
  });

  it('a table without colour has no escape codes', async () => {
    expect(await events([event(), failure()], { width: 120, color: false })).not.toContain(ESC);
  });

  it.each([
    ['a terminal', 'colour', true, {}, undefined],
    ['a pipe', 'none', false, {}, undefined],
    ['NO_COLOR on a terminal', 'none', true, { NO_COLOR: '1' }, undefined],
    ['--no-color on a terminal', 'none', true, {}, false],
    ['FORCE_COLOR in a pipe', 'colour', false, { FORCE_COLOR: '1' }, undefined],
    ['FORCE_COLOR=0 on a terminal', 'none', true, { FORCE_COLOR: '0' }, undefined],
    ['--no-color beats FORCE_COLOR', 'none', false, { FORCE_COLOR: '1' }, false],
  ])('%s: %s', (_what, expected, isTTY, env, flag) => {
    expect(colorEnabled({ stream: { isTTY }, env, flag })).toBe(expected === 'colour');
  });
});

describe('relative times', () => {
  const now = Date.parse('2025-07-01T12:00:00Z');
  it.each([
    ['2025-07-01T11:59:30Z', 'just now'],
    ['2025-07-01T11:15:00Z', '45 min ago'],
    ['2025-07-01T09:00:00Z', '3 h ago'],
    ['2025-06-28T12:00:00Z', '3 d ago'],
    ['2023-06-28T12:00:00Z', '2 y ago'],
    ['2025-07-01T15:00:00Z', 'in 3 h'],
  ])('%s is "%s"', (time, text) => {
    expect(timeAgo(time, now)).toBe(text);
  });

  it('the users table shows last seen as "3 h ago" only when given a now (a terminal)', async () => {
    const row = {
      userId: 'u1',
      name: 'Anna',
      email: 'anna@example.com',
      lastSeen: '2025-07-01T09:00:00.000Z',
      lastLogin: null,
      successes: 1,
      failures: 0,
      logouts: 0,
    };
    const tty = await render('table', [row], { columns: userActivityColumns, now });
    expect(tty).toContain('3 h ago');
    expect(tty).toContain('never');
    const piped = await render('table', [row], { columns: userActivityColumns });
    expect(piped).toContain('2025-07-01T09:00:00.000Z');
  });
});

describe('CSV and JSON selection', () => {
  it('event CSV carries userId and anonymous columns', async () => {
    const text = await render('csv', [event(), anonymousFailure()], { columns: eventColumns });
    const rows = parse(text, { columns: true }) as Array<Record<string, string>>;
    expect(rows[0]['User ID']).toBe('3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01');
    expect(rows[0].Anonymous).toBe('false');
    expect(rows[1]['User ID']).toBe(GUEST);
    expect(rows[1].Anonymous).toBe('true');
    // As the portal shows it: the event's own offset.
    expect(rows[0].Date).toBe('2025-06-03T14:05:09+02:00');
  });

  it('--json id,date,login keeps only those fields, in that order', async () => {
    const text = await render('json', [event()], {
      columns: eventColumns,
      json: eventJson,
      jsonFields: EVENT_FIELDS,
      fields: ['id', 'date', 'login'],
    });
    const [doc] = JSON.parse(text) as Array<Record<string, unknown>>;
    expect(Object.keys(doc)).toEqual(['id', 'date', 'login']);
    expect(doc.date).toBe('2025-06-03T12:05:09.000Z');
  });

  it('--json with an unknown field lists the valid ones', async () => {
    await expect(
      render('json', [event()], { columns: eventColumns, json: eventJson, jsonFields: EVENT_FIELDS, fields: ['id', 'when'] }),
    ).rejects.toMatchObject({ code: 'usage', message: expect.stringMatching(/"when"[\s\S]*localDate[\s\S]*anonymous/) });
  });
});
