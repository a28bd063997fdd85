/** Output: one writer interface, six formats. */
import { UsageError } from '../client/errors.js';
import { csvWriter } from './csv.js';
import { tableWriter } from './table.js';
import { jsonArrayWriter, ndjsonWriter } from './text.js';
import type { OutputFormat, RowWriter, WriterOptions } from './writer.js';
import { xlsxWriter } from './xlsx.js';

export { barChart } from './chart.js';
export { eventColumns, eventJson, userActivityColumns } from './columns.js';
export { csvCell, neutraliseFormula } from './csv.js';
export { ECS_VERSION, type EcsOptions, toEcs } from './ecs.js';
export { createProgress, type Progress } from './progress.js';
export { tableCell } from './table.js';
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

export function createWriter<T>(format: OutputFormat, opts: WriterOptions<T>): RowWriter<T> {
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
