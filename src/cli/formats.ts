/**
 * The output formats each command writes, decided here once: `run.ts` offers them as the
 * `--format` choices (so help and completion promise no more), and each command hands the same
 * list to `parseOutputFlags`, which also judges a format taken from `--output`'s extension.
 */
import type { OutputFormat } from '../output/writer.js';

/** Login events: every format, ECS included. */
const EVENT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'csv', 'xlsx', 'ecs'];
/** Rows that are not login events. */
const ROW_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'csv', 'xlsx'];
/** Short lists about the tool itself: no spreadsheet. */
const LIST_FORMATS: readonly OutputFormat[] = ['table', 'json', 'ndjson', 'csv'];

export const FORMATS_OF = {
  events: EVENT_FORMATS,
  users: ROW_FORMATS,
  report: ROW_FORMATS,
  sql: ROW_FORMATS,
  status: LIST_FORMATS,
  profiles: LIST_FORMATS,
  rules: LIST_FORMATS,
  alerts: LIST_FORMATS,
  /** Findings: ECS too, for SIEMs. */
  findings: EVENT_FORMATS,
} as const satisfies Record<string, readonly OutputFormat[]>;
