/** Output: one writer interface, six formats; one table renderer for everything the CLI prints. */
import { UsageError } from '../errors/index.js';
import { csvWriter } from './csv.js';
import { pickFields, selectColumns } from './select.js';
import { tableWriter } from './table.js';
import { jsonArrayWriter, ndjsonWriter } from './text.js';
import { type OutputFormat, type RowWriter, rowObject, type WriterOptions } from './writer.js';
import { xlsxWriter } from './xlsx.js';

export { barChart } from './chart.js';
export {
  EVENT_FIELDS,
  eventColumns,
  eventJson,
  eventTone,
  type LoginEventJson,
  portalEventColumns,
  userActivityColumns,
} from './columns.js';
export { csvCell, neutraliseFormula } from './csv.js';
export { eventJsonText } from './json-text.js';
export { type LoginMask, loginMasker, maskedOriginal } from './masked-logins.js';
export { portalColumn } from './portal-rows.js';
export { ECS_VERSION, type EcsOptions, toEcs } from './ecs.js';
export { createProgress, type Progress } from './progress.js';
export { colorEnabled, paint, type Tone } from './color.js';
export { timeAgo } from './relative.js';
export { pickFields, selectColumns, splitNames } from './select.js';
export { fitColumns, tableCell, truncate } from './table.js';
export {
  type CellValue,
  type Column,
  defaultFormat,
  formatFromPath,
  type OutputFormat,
  type RowWriter,
  useColor,
  type WriterOptions,
} from './writer.js';

export function createWriter<T>(format: OutputFormat, given: WriterOptions<T>): RowWriter<T> {
  const opts = choose(format, given);
  switch (format) {
    case 'table':
      return tableWriter(opts);
    case 'json':
      return jsonArrayWriter(opts);
    case 'ndjson':
      return ndjsonWriter(opts);
    case 'ecs':
      if (!opts.ecs) throw new UsageError('--format ecs is only available for login events (events command)');
      return ndjsonWriter(opts, opts.ecs);
    case 'csv':
      return csvWriter(opts);
    case 'xlsx':
      return xlsxWriter(opts);
  }
}

/** Apply `select` (table, CSV, XLSX) and `fields` (JSON, NDJSON) before anything is written. */
function choose<T>(format: OutputFormat, opts: WriterOptions<T>): WriterOptions<T> {
  const sheet = format === 'table' || format === 'csv' || format === 'xlsx';
  if (opts.select?.length && !sheet) {
    throw new UsageError('--columns picks the columns of a table, CSV or XLSX: for JSON use --json FIELD,FIELD');
  }
  if (opts.fields?.length && format !== 'json' && format !== 'ndjson') {
    throw new UsageError('--json FIELD,FIELD is for JSON output: for a table or CSV use --columns');
  }
  const columns = sheet
    ? selectColumns(opts.columns, { select: opts.select, table: format === 'table', wide: opts.wide })
    : opts.columns;
  if (!opts.fields?.length) return { ...opts, columns };
  const valid = opts.jsonFields ?? opts.columns.map((c) => c.key);
  const full = opts.json ?? ((r: T) => rowObject(opts.columns, r));
  return { ...opts, columns, json: pickFields(full, opts.fields, valid), jsonText: undefined };
}
