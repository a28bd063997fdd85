/**
 * The report loop of `report`: the report runs once per portal read (each with its own people
 * directory, so failures are attributed inside a portal and never across), then is written.
 * Several portals make one output in which every row carries its portal, a column in tables,
 * CSV and XLSX and a field in JSON and NDJSON.
 */
import type { Member } from '../report/members.js';
import type { UserIdentity } from '../report/reports/index.js';
import type { ReportResult } from '../report/run.js';
import type { ReportData } from '../report/sources/index.js';
import type { ZoneClock } from '../report/zone.js';
import type { PortalMask } from '../output/masked-logins.js';
import type { Column } from '../output/writer.js';
import type { ReportOptions } from './commands/report.js';
import type { CliIo, Reporter } from './io.js';
import type { OutputOptions } from './output.js';

/** What one report is computed from: one portal's archive, a live read, or every portal at once. */
export interface ReportPart {
  /** Set when the read covers several portals: each gets its own report. */
  portal?: string;
  data: ReportData;
  /** Active members from the people API (for `inactive`). */
  members?: () => Promise<Member[]>;
  /** The people directory, or undefined when none can be had (then nothing is attributed). */
  identities?: () => Promise<Map<string, UserIdentity> | undefined>;
  /** The failures report's masking of password-like typed logins (absent: shown as typed), and a note for its first use. */
  loginMask?: () => Promise<{ mask: PortalMask; note?: string }>;
}

/** `part`'s masker of typed logins, saying the mask's note once, at the first login it hides. */
async function maskerOf(part: ReportPart, reporter: Reporter): Promise<((login: string) => string | undefined) | undefined> {
  const made = await part.loginMask?.();
  if (!made) return undefined;
  const [{ typedLoginMasker }, { notingFirst }] = await Promise.all([import('../output/masked-logins.js'), import('./login-mask.js')]);
  const mask = typedLoginMasker(made.mask);
  return made.note ? notingFirst(mask, (_, hidden) => hidden !== undefined, made.note, reporter) : mask;
}

interface PortalReport {
  portal: string;
  result: ReportResult;
  clock: ZoneClock;
}

/** What `report users` and `users --details` say on stderr when anonymous failures went to nobody. */
export const NOT_ATTRIBUTED = 'failures not attributed: no people directory — run sync';

/** The report of each part, at the zone asked for; warns once when failures went unattributed. */
export async function runReports(
  parts: readonly ReportPart[],
  opts: ReportOptions,
  reporter: Reporter,
): Promise<PortalReport[]> {
  const [lib, { ZoneClock }] = await Promise.all([import('../report/run.js'), import('../report/zone.js')]);
  const { name, now, days, top, sort } = opts;
  const { since, until } = opts.history.filter;
  const reports: PortalReport[] = [];
  let unattributed = false;
  for (const part of parts) {
    const clock = new ZoneClock(opts.zone, await part.data.portalOffsets());
    let result: ReportResult;
    if (name === 'inactive') {
      // With --until, "inactive" is as of that instant.
      const members = await part.members!();
      result = { name, rows: await lib.inactiveFrom(members, part.data, { days, now: until ?? now }) };
    } else {
      result = await lib.runReport(name, part.data, {
        since,
        until,
        now,
        clock,
        top,
        sort,
        identities: name === 'users' ? await part.identities?.() : undefined,
        maskLogin: name === 'failures' ? await maskerOf(part, reporter) : undefined,
      });
    }
    if (result.name === 'users' && !result.attributed) unattributed = true;
    reports.push({ portal: part.portal ?? '', result, clock });
  }
  if (unattributed) reporter.warn(NOT_ATTRIBUTED);
  return reports;
}

/** Write the reports: one portal's as it is, several as one output with the portal first in every row. */
export async function writeReports(
  reports: readonly PortalReport[],
  opts: Pick<ReportOptions, 'output' | 'chart'>,
  io: CliIo,
  reporter: Reporter,
): Promise<void> {
  if (reports.length > 1) await writePortalReports(reports, opts.output, io, reporter);
  else await writeReport(reports[0].result, reports[0].clock, opts, io, reporter);
}

async function writeReport(
  result: ReportResult,
  clock: ZoneClock,
  { output, chart }: Pick<ReportOptions, 'output' | 'chart'>,
  io: CliIo,
  reporter: Reporter,
): Promise<void> {
  const { format } = output;
  const [{ barChart }, { openOutput }, { reportTable, summaryJson }] = await Promise.all([
    import('../output/index.js'),
    import('./output.js'),
    import('../report/columns.js'),
  ]);
  const out = await openOutput(output, io);
  try {
    if (result.name === 'summary' && (format === 'json' || format === 'ndjson')) {
      const doc = summaryJson(result.summary);
      out.sink.write(format === 'json' ? `${JSON.stringify(doc, null, 2)}\n` : `${JSON.stringify(doc)}\n`);
      await wrote(out, output.file, reporter, 'the summary');
      return;
    }
    const table = reportTable(result, clock);
    const writer = out.writer<unknown>({ columns: table.columns, json: table.json, title: table.title });
    for (const row of table.rows) await writer.write(row);
    await writer.end();
    if (result.name === 'daily' && format === 'table' && out.isTTY && chart && result.rows.length) {
      const width = Math.max(10, Math.min(60, (io.stdout.columns ?? 80) - 24));
      const bars = barChart(
        result.rows.map((r) => ({ label: r.date, value: r.total })),
        width,
      );
      out.sink.write(`\nEvents per day (${clock.label}):\n${bars}\n`);
    }
    if (!table.rows.length && format === 'table') reporter.note('Nothing to report for this period.');
    await wrote(out, output.file, reporter, rowCount(out.rows));
  } finally {
    await out.close();
  }
}

/** Write the reports of several portals as one output; the portal first in every row. */
async function writePortalReports(
  reports: readonly PortalReport[],
  output: OutputOptions,
  io: CliIo,
  reporter: Reporter,
): Promise<void> {
  const [{ openOutput }, { reportTable, summaryJson }, { portalColumn }] = await Promise.all([
    import('./output.js'),
    import('../report/columns.js'),
    import('../output/index.js'),
  ]);
  const { format } = output;
  const out = await openOutput(output, io);
  try {
    if (reports[0]?.result.name === 'summary' && (format === 'json' || format === 'ndjson')) {
      // One summary document per portal: an array in JSON, a line each in NDJSON.
      const docs = reports.map((r) => ({
        portal: r.portal,
        ...(summaryJson((r.result as Extract<ReportResult, { name: 'summary' }>).summary) as object),
      }));
      if (format === 'json') out.sink.write(`${JSON.stringify(docs, null, 2)}\n`);
      else for (const d of docs) out.sink.write(`${JSON.stringify(d)}\n`);
      await wrote(out, output.file, reporter, `${docs.length} summaries`);
      return;
    }
    const tables = reports.map((r) => ({ portal: r.portal, table: reportTable(r.result, r.clock) }));
    if (!tables.length) return;
    // Every portal's table has the same columns; a row is written by its own table's column (its
    // portal's clock formats the times) and its own JSON (the users report's `attributed` is per
    // portal).
    type Row = { portal: string; row: unknown; table: (typeof tables)[number]['table'] };
    const columns = tables[0].table.columns.map(
      (c, i): Column<Row> => ({
        ...c,
        value: (r) => r.table.columns[i].value(r.row),
        cell: c.cell && ((r) => r.table.columns[i].cell!(r.row)),
        tone: c.tone && ((r) => r.table.columns[i].tone!(r.row)),
        relative: c.relative && ((r, now) => r.table.columns[i].relative!(r.row, now)),
      }),
    );
    const writer = out.writer<Row>({
      columns: [portalColumn<Row>(), ...columns],
      json: (r) => ({ portal: r.portal, ...(r.table.json(r.row) as object) }),
      title: tables[0].table.title,
    });
    let total = 0;
    for (const { portal, table } of tables) {
      for (const row of table.rows) {
        total++;
        await writer.write({ portal, row, table });
      }
    }
    await writer.end();
    if (!total && format === 'table') reporter.note('Nothing to report for this period.');
    await wrote(out, output.file, reporter, rowCount(total));
  } finally {
    await out.close();
  }
}

const rowCount = (n: number) => `${n} ${n === 1 ? 'row' : 'rows'}`;

/** Close the output and, for a file, say what went into it: "wrote 37 rows to users.csv". */
async function wrote(out: { close(): Promise<void> }, file: string | undefined, reporter: Reporter, what: string): Promise<void> {
  await out.close();
  if (file !== undefined) reporter.note(`wrote ${what} to ${file}`);
}
