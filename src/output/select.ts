/** `--columns a,b` and `--json a,b`: picking what a table, a sheet or a JSON row holds. */
import { UsageError } from '../errors/index.js';
import type { Column } from './writer.js';

/** `a, b,,c` → [a, b, c]. */
export function splitNames(list: string): string[] {
  return list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function unknownName(what: string, name: string, valid: readonly string[]): UsageError {
  return new UsageError(`Unknown ${what} "${name}". Available ${what}s:\n  ${valid.join('\n  ')}`);
}

/**
 * The columns a table (or CSV, XLSX) shows. `select` names them by key, in the order wanted,
 * and they all count as columns that matter; otherwise a table leaves out the `wideOnly`
 * columns unless `--wide`, and a sheet keeps every column.
 */
export function selectColumns<T>(
  columns: ReadonlyArray<Column<T>>,
  opts: { select?: readonly string[]; table?: boolean; wide?: boolean },
): ReadonlyArray<Column<T>> {
  if (opts.select?.length) {
    const byKey = new Map(columns.map((c) => [c.key.toLowerCase(), c]));
    return opts.select.map((name) => {
      const c = byKey.get(name.toLowerCase());
      if (!c) throw unknownName('column', name, columns.map((x) => x.key));
      return { ...c, keep: true };
    });
  }
  return opts.table && !opts.wide ? columns.filter((c) => !c.wideOnly) : columns;
}

/** A JSON mapping that keeps only `fields` (checked against `valid` before any row is read). */
export function pickFields<T>(
  toJson: (row: T) => unknown,
  fields: readonly string[],
  valid: readonly string[],
): (row: T) => unknown {
  for (const f of fields) if (!valid.includes(f)) throw unknownName('JSON field', f, valid);
  return (row) => {
    const full = toJson(row) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const f of fields) out[f] = full[f] ?? null;
    return out;
  };
}
