/**
 * The export fast paths write exactly what the plain definitions write: a CSV cell is
 * `csvField(csvCell(value, kind))`, an NDJSON line is `JSON.stringify(eventJson(e))`. Every
 * text field gets the awkward strings (quotes, commas, line breaks, spaces at the edges,
 * formula starts, control characters, non-ASCII, lone surrogates) and the two are compared.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { LoginEvent } from '../src/index.js';
import { csvCell, csvField } from '../src/output/csv.js';
import { createWriter, eventColumns, eventJson, eventJsonText } from '../src/output/index.js';
import { lineWriter } from '../src/output/text.js';
import { sampleEvent } from './helpers/events.js';

const AWKWARD = [
  '',
  'plain',
  'a,b',
  'say "hi"',
  'two\nlines',
  'cr\rhere',
  ' leading',
  'trailing ',
  '\tTab',
  '=SUM(A1)',
  '+1',
  '-1',
  '-12.5',
  '@x',
  'back\\slash',
  'bell\u0007',
  'nul\u0000',
  'Zoë Müller',
  'Łódź',
  '\u00a0nbsp',
  'nbsp\u00a0',
  'line\u2028sep',
  'lone \ud800 high',
  'lone \udc00 low',
  'emoji 😀',
  '\ufeffbom',
  'x',
  '"',
  ',',
];

const TEXT_FIELDS = ['user', 'userId', 'login', 'action', 'ip', 'country', 'city', 'browser', 'platform', 'page'] as const;

/** Events whose text fields, one at a time, hold each awkward string, plus nulls and a portal. */
function awkwardEvents(): LoginEvent[] {
  const out: LoginEvent[] = [];
  for (const field of TEXT_FIELDS) {
    for (const text of AWKWARD) out.push({ ...sampleEvent(), [field]: text });
  }
  out.push({ ...sampleEvent(), login: null, browser: null, platform: null, page: null });
  out.push({ ...sampleEvent(), portal: 'https://a.example.com' });
  out.push({ ...sampleEvent(), portal: 'odd "portal"' });
  out.push({ ...sampleEvent(), id: Number.NaN, offsetMinutes: -330 });
  out.push({ ...sampleEvent(), time: Date.parse('1969-12-31T23:59:59.500Z') });
  return out;
}

class Collect extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.text += chunk.toString('utf8');
    cb();
  }
}

async function render(format: 'csv' | 'ndjson', rows: LoginEvent[]): Promise<string> {
  const sink = new Collect();
  const w = createWriter(format, { columns: eventColumns, sink, json: eventJson, jsonText: eventJsonText });
  for (const r of rows) await w.write(r);
  await w.end();
  return sink.text;
}

describe('export fast paths', () => {
  it('each CSV line is the columns through csvField(csvCell(value, kind))', async () => {
    const rows = awkwardEvents();
    const expected = [
      eventColumns.map((c) => csvField(c.header)).join(','),
      ...rows.map((e) => eventColumns.map((c) => csvField(csvCell(c.value(e), c.kind))).join(',')),
    ];
    // Through UTF-8, as the sink receives it (a lone surrogate becomes U+FFFD either way).
    expect(await render('csv', rows)).toBe(Buffer.from(`${expected.join('\n')}\n`).toString('utf8'));
  });

  it('each NDJSON line is JSON.stringify(eventJson(e))', async () => {
    const rows = awkwardEvents();
    for (const e of rows) expect(eventJsonText(e)).toBe(JSON.stringify(eventJson(e)));
    expect(await render('ndjson', rows)).toBe(rows.map((e) => `${JSON.stringify(eventJson(e))}\n`).join(''));
  });

  it('an event with a field left undefined loses that key, as JSON.stringify does', () => {
    const e = { ...sampleEvent(), browser: undefined } as unknown as LoginEvent;
    expect(eventJsonText(e)).toBe(JSON.stringify(eventJson(e)));
    expect(eventJsonText(e)).not.toContain('"browser"');
  });
});

describe('lineWriter', () => {
  it('writes the UTF-8 of header, lines and ends of line, whatever their size against its 64 KB chunks', async () => {
    const chunks: Buffer[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        chunks.push(Buffer.from(chunk));
        cb();
      },
    });
    const lines: Array<[string, string]> = [];
    for (let i = 0; i < 3000; i++) lines.push([String(i), `,${AWKWARD[i % AWKWARD.length]}`]);
    // One line larger than a chunk, of characters three bytes long, and one of surrogate pairs.
    lines.splice(1500, 0, ['big', `,${'€'.repeat(70_000)}`], ['pairs', `,${'😀'.repeat(20_000)}`]);
    const writer = lineWriter(sink, '\r\n', 'head,er\r\n');
    for (const [head, tail] of lines) await writer.write(head, tail);
    await writer.end();
    const expected = `head,er\r\n${lines.map(([h, t]) => `${h}${t}\r\n`).join('')}`;
    expect(Buffer.concat(chunks).equals(Buffer.from(expected))).toBe(true);
    expect(chunks.length).toBe(3);
  });
});
