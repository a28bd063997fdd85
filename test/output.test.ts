import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';

// ECS documents are nested records; tests read them loosely.
 
type Doc = any;

import { type LoginEvent, normaliseEvent, parseApiDate } from '../src/index.js';
import {
  barChart,
  createWriter,
  eventColumns,
  eventJson,
  formatFromPath,
  toEcs,
} from '../src/output/index.js';

const GUEST = '712d9ec3-5d2b-4b13-824f-71f00191dcca';

function event(over: Partial<Record<string, unknown>> = {}): LoginEvent {
  const raw = {
    id: 48213,
    date: '2025-06-03T14:05:09.0000000+02:00',
    user: 'Anna Schmidt',
    userId: '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01',
    action: 'Successful Login via API',
    actionId: 1010,
    ip: '203.0.113.24',
    country: 'Germany',
    city: 'Berlin',
    browser: 'Chrome 125',
    platform: 'Windows 10',
    page: 'https://acme.example.com/login',
    ...over,
  } as Parameters<typeof normaliseEvent>[0];
  return normaliseEvent(raw, parseApiDate(raw.date)!);
}

class Collect extends Writable {
  chunks: Buffer[] = [];
  constructor(private readonly delayMs = 0) {
    super({ highWaterMark: 64 });
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.chunks.push(Buffer.from(chunk));
    if (this.delayMs) setTimeout(cb, this.delayMs);
    else cb();
  }
  get text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

async function render(format: Parameters<typeof createWriter>[0], rows: LoginEvent[], extra = {}) {
  const sink = new Collect();
  const w = createWriter(format, {
    columns: eventColumns,
    sink,
    json: eventJson,
    ecs: (e) => toEcs(e),
    ...extra,
  });
  for (const r of rows) await w.write(r);
  await w.end();
  return sink.text;
}

describe('CSV', () => {
  it('parses back to the same values, with a header row', async () => {
    const rows = [event(), event({ id: 2, user: 'Zoë "Z" Müller, Jr.', login: 'zoe@example.com' })];
    const parsed = parse(await render('csv', rows), { columns: true }) as Array<Record<string, string>>;
    expect(parsed).toHaveLength(2);
    expect(parsed[1].User).toBe('Zoë "Z" Müller, Jr.');
    expect(parsed[0].Date).toBe('2025-06-03T14:05:09+02:00');
    expect(parsed[0].ID).toBe('48213');
  });

  it.each(['=HYPERLINK("http://evil")', '+1+1', '-2+3', '@SUM(A1)', '\tcmd', '\rcmd'])(
    'neutralises a cell starting like a formula: %j',
    async (login) => {
      const text = await render('csv', [event({ login, userId: GUEST, user: login, actionId: 1013 })]);
      const parsed = parse(text, { columns: true, relax_quotes: true }) as Array<Record<string, string>>;
      expect(parsed[0].Login).toBe(`'${login}`);
      expect(parsed[0].User).toBe(`'${login}`);
    },
  );

  it('keeps numbers as numbers', async () => {
    const parsed = parse(await render('csv', [event({ id: 5 })]), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(parsed[0].ID).toBe('5');
  });

  it('--excel adds a UTF-8 BOM and CRLF line ends', async () => {
    const text = await render('csv', [event()], { excel: true });
    expect(text.charCodeAt(0)).toBe(0xfeff);
    expect(text).toContain('\r\n');
  });

  it('an empty result is still a header row', async () => {
    expect((await render('csv', [])).trim()).toMatch(/^ID,Date,User/);
  });
});

describe('JSON and NDJSON', () => {
  it.each([0, 1, 5])('the JSON array is valid for %i rows', async (n) => {
    const rows = Array.from({ length: n }, (_, i) => event({ id: i + 1 }));
    const parsed = JSON.parse(await render('json', rows));
    expect(parsed).toHaveLength(n);
    if (n) expect(parsed[0]).toMatchObject({ id: 1, offset: '+02:00', kind: 'success' });
  });

  it('NDJSON has one line per row', async () => {
    const text = await render('ndjson', [event({ id: 1 }), event({ id: 2 }), event({ id: 3 })]);
    expect(
      text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).id),
    ).toEqual([1, 2, 3]);
  });

  it('waits for a slow sink instead of buffering or losing rows', async () => {
    const sink = new Collect(1);
    const w = createWriter('ndjson', { columns: eventColumns, sink, json: eventJson });
    for (let i = 0; i < 300; i++) await w.write(event({ id: i }));
    await w.end();
    expect(sink.text.trim().split('\n')).toHaveLength(300);
  });
});

describe('ECS', () => {
  it('maps a successful login', () => {
    const doc = toEcs(event(), { portal: 'https://acme.example.com' }) as Doc;
    expect(doc['@timestamp']).toBe('2025-06-03T12:05:09.000Z');
    expect(doc.event).toMatchObject({
      id: '48213',
      action: 'login-success-via-api',
      category: ['authentication'],
      type: ['start'],
      outcome: 'success',
    });
    expect(doc.user).toMatchObject({ id: '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01', full_name: 'Anna Schmidt' });
    expect(doc.source).toMatchObject({
      ip: '203.0.113.24',
      geo: { country_name: 'Germany', city_name: 'Berlin' },
    });
    expect(doc.user_agent).toMatchObject({ name: 'Chrome', version: '125', os: { full: 'Windows 10' } });
    expect(doc.url.original).toBe('https://acme.example.com/login');
    expect(doc.observer.hostname).toBe('acme.example.com');
  });

  it('maps an anonymous failure by its typed login, without the Guest id', () => {
    const doc = toEcs(
      event({
        userId: GUEST,
        user: 'anna@example.com',
        login: 'anna@example.com',
        actionId: 1013,
        country: '',
        city: '',
      }),
    ) as Doc;
    expect(doc.event.outcome).toBe('failure');
    expect(doc.user.id).toBeUndefined();
    expect(doc.user).toMatchObject({ name: 'anna@example.com', email: 'anna@example.com' });
    expect(doc.source.geo).toBeUndefined();
  });

  it('maps a logout as the end of a session', () => {
    const doc = toEcs(event({ actionId: 1006, action: 'Logout', login: 'Anna Schmidt' })) as Doc;
    expect(doc.event).toMatchObject({ category: ['authentication', 'session'], type: ['end'] });
  });

  it('adds event.original only when asked', () => {
    expect((toEcs(event()) as Doc).event.original).toBeUndefined();
    expect((toEcs(event(), { original: '{"id":1}' }) as Doc).event.original).toBe('{"id":1}');
  });
});

describe('XLSX', () => {
  it('is a real workbook: frozen header, auto-filter, date cells, formulas written as text', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-xlsx-'));
    const file = join(dir, 'events.xlsx');
    const sink = createWriteStream(file);
    const w = createWriter('xlsx', { columns: eventColumns, sink, json: eventJson });
    await w.write(event());
    await w.write(event({ id: 2, login: '=HYPERLINK("http://evil","x")', userId: GUEST, actionId: 1013 }));
    await w.end();
    if (!sink.closed) await once(sink, 'close');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    const sheet = book.worksheets[0];
    expect(sheet.getRow(1).getCell(1).value).toBe('ID');
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBeTruthy();
    const date = sheet.getRow(2).getCell(2).value;
    expect(date).toBeInstanceOf(Date);
    // The cell shows the portal's wall-clock time.
    expect((date as Date).toISOString()).toBe('2025-06-03T14:05:09.000Z');
    const login = sheet.getRow(3).getCell(4);
    expect(login.value).toBe('=HYPERLINK("http://evil","x")');
    expect(login.formula).toBeUndefined();
    expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');
  });
});

describe('helpers', () => {
  it.each([
    ['a.csv', 'csv'],
    ['a.json', 'json'],
    ['a.ndjson', 'ndjson'],
    ['a.jsonl', 'ndjson'],
    ['a.xlsx', 'xlsx'],
    ['a.ecs.ndjson', 'ecs'],
    ['a.txt', 'table'],
    ['a.bin', undefined],
  ])('%s → %s', (path, format) => {
    expect(formatFromPath(path)).toBe(format);
  });

  it('draws a bar chart scaled to the largest value', () => {
    const chart = barChart(
      [
        { label: 'Mon', value: 10 },
        { label: 'Tue', value: 5 },
      ],
      10,
    );
    const [mon, tue] = chart.split('\n');
    expect(mon).toContain('█'.repeat(10));
    expect(tue).toContain('█'.repeat(5));
    expect(tue).not.toContain('█'.repeat(6));
  });

  it('a table strips control characters an attacker could type', async () => {
    const text = await render('table', [event({ user: 'evil\u001b[31mred', login: 'x' })]);
    expect(text).not.toContain('\u001b');
  });
});
