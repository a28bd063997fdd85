import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { createWriteStream, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';

// ECS documents are nested records; tests read them loosely.
 
type Doc = any;

import type { LoginEvent } from '../src/index.js';
import {
  barChart,
  createWriter,
  EVENT_FIELDS,
  eventColumns,
  eventJson,
  formatFromPath,
  toEcs,
} from '../src/output/index.js';
import { cellXml, sheetName, xmlText } from '../src/output/spreadsheetml.js';

import { sampleEvent } from './helpers/events.js';

const GUEST = '712d9ec3-5d2b-4b13-824f-71f00191dcca';

const event = sampleEvent;

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

/** A sink that takes nothing until opened. */
class Gate extends Writable {
  chunks: Buffer[] = [];
  private held: Array<() => void> = [];
  private isOpen = false;
  constructor() {
    super({ highWaterMark: 64 });
  }
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.chunks.push(Buffer.from(chunk));
    if (this.isOpen) cb();
    else this.held.push(cb);
  }
  open() {
    this.isOpen = true;
    for (const cb of this.held.splice(0)) cb();
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
  /** Write rows to a file, end it as the CLI does, and read it back with exceljs. */
  async function workbook(rows: LoginEvent[], extra: Partial<Parameters<typeof createWriter>[1]> = {}) {
    const dir = mkdtempSync(join(tmpdir(), 'dl-xlsx-'));
    const file = join(dir, 'events.xlsx');
    const sink = createWriteStream(file);
    const w = createWriter('xlsx', { columns: eventColumns, sink, json: eventJson, ...extra });
    for (const r of rows) await w.write(r);
    await w.end();
    sink.end();
    await once(sink, 'close');
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(file);
    return { file, book, sheet: book.worksheets[0] };
  }

  it('is a real workbook: bold frozen header, auto-filter, widths, date cells, formulas written as text', async () => {
    const { file, book, sheet } = await workbook([
      event(),
      event({ id: 2, login: '=HYPERLINK("http://evil","x")', userId: GUEST, actionId: 1013 }),
    ]);
    expect(sheet.name).toBe('Login history');
    expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(eventColumns.map((c) => c.header));
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1, topLeftCell: 'A2' });
    expect(sheet.autoFilter).toBe('A1:N3');
    expect(book.definedNames.getRanges('_xlnm._FilterDatabase').ranges).toEqual(["'Login history'!$A$1:$N$3"]);
    expect(sheet.columns.map((c) => c.width)).toEqual(eventColumns.map((c) => c.width));
    expect(sheet.rowCount).toBe(3);

    const id = sheet.getRow(2).getCell(1);
    expect(id.value).toBe(48213);
    expect(id.type).toBe(ExcelJS.ValueType.Number);
    const date = sheet.getRow(2).getCell(2);
    expect(date.value).toBeInstanceOf(Date);
    // The cell shows the portal's wall-clock time.
    expect((date.value as Date).toISOString()).toBe('2025-06-03T14:05:09.000Z');
    expect(date.numFmt).toBe('yyyy-mm-dd hh:mm:ss');

    const login = sheet.getRow(3).getCell(4);
    expect(login.value).toBe('=HYPERLINK("http://evil","x")');
    expect(login.type).toBe(ExcelJS.ValueType.String);
    expect(login.formula).toBeUndefined();
    expect(readFileSync(file).subarray(0, 2).toString()).toBe('PK');
  });

  it('an event\'s JSON has exactly the fields of the one field list, in its order', () => {
    expect(Object.keys(eventJson(event()))).toEqual(EVENT_FIELDS);
    expect(EVENT_FIELDS).toEqual(['id', 'date', 'offset', 'localDate', 'userId', 'user', 'login', 'anonymous',
      'actionId', 'action', 'kind', 'ip', 'country', 'city', 'browser', 'platform', 'page']);
    expect(Object.keys(eventJson({ ...event(), portal: 'https://a.example' })).at(-1)).toBe('portal');
    expect(eventColumns.map((c) => c.key)).toEqual(['id', 'date', 'user', 'login', 'action', 'kind', 'ip', 'country',
      'city', 'browser', 'platform', 'page', 'userId', 'anonymous']);
  });

  it.each([
    ['2025-06-03T14:05:09.1230000+02:00', '2025-06-03T14:05:09+02:00'],
    ['2025-06-03T23:59:59.9990000Z', '2025-06-03T23:59:59Z'],
    ['2024-02-29T00:00:00.0000000-05:30', '2024-02-29T00:00:00-05:30'],
    ['1999-12-31T12:00:00.5000000+14:00', '1999-12-31T12:00:00+14:00'],
  ])('an event served as %s shows %s, and its date cell is that wall clock read as UTC', (served, shown) => {
    const column = eventColumns.find((c) => c.key === 'date')!;
    const e = event({ date: served });
    expect(column.value(e)).toBe(shown);
    expect((column.cell!(e) as Date).toISOString()).toBe(`${shown.slice(0, 19)}.000Z`);
  });

  it('keeps non-ASCII, emoji, XML specials, white space and Excel escapes as typed', async () => {
    const texts = [
      'Zoë Müller 北京 👩‍💻',
      '<script>alert("x")</script> & \'quotes\' >',
      '  padded  ',
      'two\nlines',
      'ends with ]]>',
    ];
    const { sheet } = await workbook(texts.map((user, i) => event({ id: i + 1, user })));
    expect(texts.map((_, i) => sheet.getRow(i + 2).getCell(3).value)).toEqual(texts);
  });

  it.each([
    ['a number', 42.5, '<c r="B7"><v>42.5</v></c>'],
    ['a date, as serial days with the date style', new Date('2025-06-03T12:00:00Z'), '<c r="B7" s="2"><v>45811.5</v></c>'],
    ['a boolean', true, '<c r="B7" t="b"><v>1</v></c>'],
    ['a formula-like text, as text', '=1+1', '<c r="B7" t="inlineStr"><is><t>=1+1</t></is></c>'],
    ['text with edge white space', ' a ', '<c r="B7" t="inlineStr"><is><t xml:space="preserve"> a </t></is></c>'],
    ['a date Excel cannot hold, as text', new Date('1899-01-01T00:00:00Z'), '<c r="B7" t="inlineStr"><is><t>1899-01-01T00:00:00.000Z</t></is></c>'],
    ['empty text (no cell)', '', ''],
    ['null (no cell)', null, ''],
    ['NaN (no cell)', Number.NaN, ''],
    ['an invalid date (no cell)', new Date('nope'), ''],
  ])('writes %s', (_what, value, xml) => {
    expect(cellXml('B7', value)).toBe(xml);
  });

  it('escapes text Excel would otherwise decode: `_xHHHH_` is its escape for a character', () => {
    // exceljs does not decode inline strings, so this is checked on the XML itself.
    expect(xmlText('a_x0041_b')).toBe('a_x005F_x0041_b');
    expect(xmlText('a_x004_b & <c> \r')).toBe('a_x004_b &amp; &lt;c&gt; &#13;');
    expect(xmlText('plain')).toBe('plain');
  });

  it('drops characters XML 1.0 forbids instead of writing a broken file', async () => {
    // Set on the event itself: events read from a portal already carry U+0000 as U+FFFD
    // (model/served-text.ts), but a library user may hand the writer any LoginEvent.
    const { sheet } = await workbook([{ ...event(), user: 'bell\u0007 nul\u0000 esc\u001b ok', city: '\u0001' }]);
    expect(sheet.getRow(2).getCell(3).value).toBe('bell nul esc ok');
    expect(sheet.getRow(2).getCell(9).value).toBeNull();
    expect(sheet.getRow(2).getCell(1).value).toBe(48213);
  });

  it.each([
    ['Users', 'Users'],
    ["'quoted'", 'quoted'],
    ['', 'Sheet1'],
    ['[]', '__'],
    ['History', 'History_'],
    ['tab\there', 'tabhere'],
    ['x'.repeat(40), 'x'.repeat(31)],
    [`${'x'.repeat(30)}👩`, 'x'.repeat(30)],
  ])('the title %j makes the sheet name %j', (title, name) => {
    expect(sheetName(title)).toBe(name);
  });

  it('names the sheet as Excel allows: no []:*?/\\, at most 31 characters', async () => {
    const { sheet } = await workbook([event()], { title: 'Logins [2025/06] * who? a:b\\c — and then some more' });
    expect(sheet.name).toBe('Logins _2025_06_ _ who_ a_b_c —');
  });

  it('holds rows back while the sink does not drain, then completes the file', async () => {
    const sink = new Gate();
    const w = createWriter('xlsx', { columns: eventColumns, sink, json: eventJson });
    const total = 20_000;
    let written = 0;
    const writing = (async () => {
      for (let i = 0; i < total; i++) {
        await w.write(event({ id: i + 1, user: `user ${i * 7919}`, ip: `10.${i % 256}.${(i * 31) % 256}.1` }));
        written++;
      }
      await w.end();
    })();
    // Let the writer run until it stops by itself (three quiet samples in a row) or passes the
    // bound. No assertion depends on how fast it gets there: a slow machine only waits longer.
    const tick = () => new Promise((resolve) => setTimeout(resolve, 100));
    for (let quiet = 0, last = -1, rounds = 0; quiet < 3 && written < total / 2 && rounds < 600; rounds++) {
      await tick();
      quiet = written === last ? quiet + 1 : 0;
      last = written;
    }
    // A few megabytes of XML at most wait in buffers: the writer is held, well before the end.
    expect(written).toBeLessThan(total / 2);
    sink.open();
    await writing;
    const book = new ExcelJS.Workbook();
    await book.xlsx.read(Readable.from(sink.chunks));
    const sheet = book.worksheets[0];
    expect(sheet.rowCount).toBe(total + 1);
    expect(sheet.getRow(total + 1).getCell(1).value).toBe(total);
    expect(sheet.getRow(total + 1).getCell(3).value).toBe(`user ${(total - 1) * 7919}`);
  });

  it('passes unzip -t', async (ctx) => {
    const unzip = spawnSync('unzip', ['-v']);
    if (unzip.error) return ctx.skip();
    const { file } = await workbook([event()]);
    const test = spawnSync('unzip', ['-t', file], { encoding: 'utf8' });
    expect(test.status).toBe(0);
    expect(test.stdout).toContain('No errors detected');
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
