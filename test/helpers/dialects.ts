/**
 * Archive targets for suites that run once per database: SQLite always, PostgreSQL when
 * DOCSPACE_LOGINS_TEST_PG points at a reachable server (`eval "$(scripts/pg-scratch.sh start)"`).
 * Without one, the PostgreSQL variant is skipped with the reason in its name, never passed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface DialectCase {
  name: 'sqlite' | 'postgres';
  /** Why this dialect is skipped, or undefined when it runs. */
  skip: string | undefined;
  /** A target (file path or URL) for a new, empty archive. */
  fresh(): Promise<string>;
  /** Remove what `fresh` created. */
  cleanup(): Promise<void>;
}

const PG_URL = process.env.DOCSPACE_LOGINS_TEST_PG;

async function pgUnavailable(): Promise<string | undefined> {
  if (!PG_URL) return 'DOCSPACE_LOGINS_TEST_PG is not set (start one: eval "$(scripts/pg-scratch.sh start)")';
  const c = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 3000 });
  try {
    await c.connect();
    await c.query('select 1');
    return undefined;
  } catch (err) {
    return `PostgreSQL at DOCSPACE_LOGINS_TEST_PG is not reachable: ${(err as Error).message}`;
  } finally {
    await c.end().catch(() => {});
  }
}

/** A session on DOCSPACE_LOGINS_TEST_PG as its (administrator) role, for set-up and clean-up. */
export async function pgAdmin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

export async function dialects(prefix: string): Promise<DialectCase[]> {
  const dir = mkdtempSync(join(tmpdir(), `dl-${prefix}-`));
  let files = 0;
  const schemas: string[] = [];
  const skip = await pgUnavailable();
  if (skip) console.warn(`${prefix} tests on postgres SKIPPED: ${skip}`);
  return [
    {
      name: 'sqlite',
      skip: undefined,
      fresh: async () => join(dir, `archive-${++files}.sqlite`),
      cleanup: async () => rmSync(dir, { recursive: true, force: true }),
    },
    {
      name: 'postgres',
      skip,
      // Each archive lives in a schema of its own, chosen through the URL's search_path.
      async fresh() {
        const schema = `${prefix}_${process.pid}_${schemas.length}_${Math.random().toString(36).slice(2, 8)}`;
        await pgAdmin((c) => c.query(`create schema ${schema}`));
        schemas.push(schema);
        const url = new URL(PG_URL!);
        url.searchParams.set('options', `-c search_path=${schema}`);
        return url.toString();
      },
      async cleanup() {
        if (!schemas.length) return;
        await pgAdmin(async (c) => {
          for (const s of schemas) await c.query(`drop schema if exists ${s} cascade`);
        });
      },
    },
  ];
}

/** The name of a per-dialect describe block: says why it is skipped when it is. */
export function dialectTitle(d: DialectCase, what: string): string {
  return d.skip ? `${what} on ${d.name} (skipped: ${d.skip})` : `${what} on ${d.name}`;
}
