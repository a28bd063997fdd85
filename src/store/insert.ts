/**
 * The one INSERT of the hot path, built by the query layer and reused.
 *
 * Compiling a 500-row insert through Kysely costs about as much as SQLite takes to run it, and
 * every batch of the same size compiles to the same SQL text. So each batch size is compiled
 * once; later batches of that size only flatten their values, in the column order the compiled
 * statement uses (the test suite checks the two agree).
 */
import { CompiledQuery, type Kysely } from 'kysely';
import type { ArchiveSchema, EventsTable } from './schema.js';

interface Shape {
  sql: string;
  columns: ReadonlyArray<keyof EventsTable>;
}

const MAX_SHAPES = 16;

export class EventInsert {
  private readonly shapes = new Map<number, Shape>();

  constructor(private readonly db: Kysely<ArchiveSchema>) {}

  /** `INSERT INTO events … ON CONFLICT (portal_id, id) DO NOTHING` through Kysely. */
  compileWithKysely(rows: readonly EventsTable[]): CompiledQuery {
    return this.db
      .insertInto('events')
      .values(rows as EventsTable[])
      .onConflict((oc) => oc.columns(['portal_id', 'id']).doNothing())
      .compile();
  }

  /**
   * The one-row statement and each row's values, for a backend that runs one-row statements
   * (`writeEach`); the rows must have the keys of the first, in the same order.
   */
  eachRow(rows: readonly EventsTable[]): { sql: string; rows: unknown[][] } {
    const first = this.build(rows.slice(0, 1));
    const { columns } = this.shapes.get(1)!;
    const values = new Array<unknown[]>(rows.length);
    values[0] = first.parameters as unknown[];
    for (let i = 1; i < rows.length; i++) {
      const row = rows[i];
      const v = new Array(columns.length);
      for (let c = 0; c < columns.length; c++) v[c] = row[columns[c]];
      values[i] = v;
    }
    return { sql: first.sql, rows: values };
  }

  /** The same statement; rows must all have the keys of the first, in the same order (as `toRow` makes them). */
  build(rows: readonly EventsTable[]): CompiledQuery {
    let shape = this.shapes.get(rows.length);
    if (!shape) {
      const compiled = this.compileWithKysely(rows);
      if (this.shapes.size >= MAX_SHAPES) this.shapes.clear();
      shape = { sql: compiled.sql, columns: Object.keys(rows[0]) as Array<keyof EventsTable> };
      this.shapes.set(rows.length, shape);
      return compiled;
    }
    const { columns } = shape;
    const parameters = new Array(rows.length * columns.length);
    let k = 0;
    for (const row of rows) {
      for (const c of columns) parameters[k++] = row[c];
    }
    return CompiledQuery.raw(shape.sql, parameters);
  }
}
