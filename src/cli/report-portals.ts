/**
 * `report --all` over an archive of several portals: the report runs once per portal (each with
 * its own people directory, so failures are attributed inside a portal and never across) and
 * every row carries its portal, a column in tables, CSV and XLSX and a field in JSON and NDJSON.
 */
import type { Column } from '../output/writer.js';
import type { ReportResult } from '../report/run.js';
import type { ZoneClock } from '../report/zone.js';
import type { CliIo, Reporter } from './io.js';
import type { OutputOptions } from './output.js';

export interface PortalReport {
  portal: string;
  result: ReportResult;
  clock: ZoneClock;
}

/** Write the reports of several portals as one output; the portal first in every row. */
export async function writePortalReports(
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
  } finally {
    await out.close();
  }
}
