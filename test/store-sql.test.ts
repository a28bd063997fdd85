/**
 * `sql` is read-only for real: on PostgreSQL, statements that would write or act through the
 * holes of a read-only transaction are refused (exit 2) and leave no trace; on both databases
 * the rows are streamed, so a result far larger than memory can be read from its start.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors/index.js';
import { normaliseEvent } from '../src/model/event.js';
import { type ArchiveStore, openStore } from '../src/store/index.js';
import { cli } from './helpers/cli.js';
import { type DialectCase, dialects, dialectTitle } from './helpers/dialects.js';

const DIALECTS = await dialects('sqlcmd');
afterAll(async () => {
  for (const d of DIALECTS) await d.cleanup();
});

const T0 = Date.UTC(2025, 0, 1);

function events(n: number) {
  return Array.from({ length: n }, (_, i) =>
    normaliseEvent(
      {
        id: i + 1,
        date: '',
        userId: '0b9a4c1e-1111-4222-8333-000000000001',
        user: 'User 1',
        action: 'Login',
        actionId: 1010,
        ip: '10.0.0.1',
        country: 'Germany',
        city: 'Berlin',
        page: 'https://portal.example.com/login',
      },
      { time: T0 + i * 60_000, offsetMinutes: 60 },
    ),
  );
}

/** A query with no end: only a reader that streams ever sees its first rows. */
const ENDLESS = 'with recursive n(x) as (select 1 union all select x + 1 from n) select x from n';

async function archive(d: DialectCase): Promise<{ target: string; store: ArchiveStore }> {
  const target = await d.fresh();
  const store = await openStore(target);
  const portal = await store.ensurePortal({ url: 'https://acme.example.com' });
  await store.insertEvents(portal, events(5));
  return { target, store };
}

for (const d of DIALECTS) {
  describe.skipIf(Boolean(d.skip))(dialectTitle(d, 'sql streams'), () => {
    it('reads the first rows of an endless query and stops', async () => {
      const { store } = await archive(d);
      try {
        const rows = await store.sqlRows(ENDLESS);
        expect(rows.columns).toEqual(['x']);
        const first: unknown[][] = [];
        for await (const row of rows) {
          first.push(row);
          if (first.length === 2500) break;
        }
        expect(first.at(0)).toEqual([1]);
        expect(first.at(-1)).toEqual([2500]);
        // The buffered form stops at maxRows just the same.
        expect(await store.sql(ENDLESS, { maxRows: 3 })).toEqual({ columns: ['x'], rows: [[1], [2], [3]], truncated: true });
      } finally {
        await store.close();
      }
    });

    it('a portal-scoped statement sees only that portal\'s rows, through views of its own session', async () => {
      const { store } = await archive(d);
      try {
        const other = await store.ensurePortal({ url: 'https://other.example.com' });
        expect(Number((await store.sql('select count(*) from portals')).rows[0][0])).toBeGreaterThan(1);
        const rows = await store.sqlRows('select id from portals', { portalIds: [other] });
        const ids: unknown[][] = [];
        for await (const r of rows) ids.push(r);
        expect(ids.map((r) => Number(r[0]))).toEqual([other]);
        const events = await store.sql('select count(*) from events');
        const none = await store.sqlRows('select count(*) from events', { portalIds: [other] });
        for await (const r of none) expect(Number(r[0])).toBe(0);
        expect(Number(events.rows[0][0])).toBeGreaterThan(0);
      } finally {
        await store.close();
      }
    });

    it('writes rows from the command line as they come, with the columns of an empty result', async () => {
      const { target, store } = await archive(d);
      await store.close();
      const r = await cli(['sql', '--db', target, '--format', 'ndjson', 'select id, kind from events where id > 2 order by id']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
        { id: 3, kind: 'success' },
        { id: 4, kind: 'success' },
        { id: 5, kind: 'success' },
      ]);
      const empty = await cli(['sql', '--db', target, '--format', 'csv', 'select id, kind from events where id < 0']);
      expect(empty.code).toBe(0);
      expect(empty.stdout.trim()).toBe('id,kind');
    });

    it('refuses a write from the command line with exit 2', async () => {
      const { target, store } = await archive(d);
      try {
        const r = await cli(['sql', '--db', target, 'delete from events']);
        expect(r.code).toBe(2);
        expect(r.stderr).toMatch(/read-only/);
        expect(await store.countEvents()).toBe(5);
      } finally {
        await store.close();
      }
    });
  });
}

const PG = DIALECTS.find((d) => d.name === 'postgres')!;

describe.skipIf(Boolean(PG.skip))(dialectTitle(PG, 'sql read-only for real'), () => {
  let target: string;
  let store: ArchiveStore;
  /** An ordinary session of the same role in the same schema: the one a refused statement could harm. */
  let admin: pg.Client;
  const scratch = mkdtempSync(join(tmpdir(), 'dl-sql-'));
  const copyFile = join(scratch, 'copied.txt');
  const programFile = join(scratch, 'program.txt');

  beforeAll(async () => {
    ({ target, store } = await archive(PG));
    admin = new pg.Client({ connectionString: target });
    await admin.connect();
    await admin.query('create table probe_t (x integer)');
    await admin.query('create sequence probe_seq');
    await admin.query('create procedure probe_proc() language sql as $$ insert into probe_t values (1) $$');
    await admin.query('create function probe_fn() returns integer language sql as $$ insert into probe_t values (1) returning 1 $$');
  });
  afterAll(async () => {
    await store?.close();
    await admin?.end();
  });

  async function traces() {
    const one = async (q: string) => (await admin.query(q)).rows[0];
    return {
      probe: Number((await one('select count(*) as n from probe_t')).n),
      events: Number((await one('select count(*) as n from events')).n),
      seq: await one('select last_value, is_called from probe_seq'),
      largeObjects: Number((await one('select count(*) as n from pg_largeobject_metadata')).n),
      // Only the keys the refused statements name: other suites hold sync locks meanwhile.
      advisory: Number(
        (
          await one(
            `select count(*) as n from pg_locks where locktype = 'advisory'
               and ((classid = 424242 and objid = 4242 and objsubid = 2) or (classid = 0 and objid = 777001 and objsubid = 1))`,
          )
        ).n,
      ),
      copyTable: (await one("select to_regclass('copy_of_events') as t")).t,
      files: [existsSync(copyFile), existsSync(programFile)],
    };
  }

  const refused: Array<[string, string]> = [
    ['COPY … TO a file', `copy events to '${copyFile}'`],
    ['COPY … TO PROGRAM', `copy (select 1) to program 'touch ${programFile}'`],
    ['an advisory lock', 'select pg_advisory_lock(424242, 4242)'],
    ['a shared advisory lock', 'select pg_try_advisory_lock_shared(777001)'],
    ['set_config', "select set_config('default_transaction_read_only', 'off', false)"],
    ['pg_terminate_backend', 'select pg_terminate_backend(pid) from pg_stat_activity where pid <> pg_backend_pid()'],
    ['pg_sleep', 'select pg_sleep(3600)'],
    ['lo_create', 'select lo_create(0)'],
    ['lo_export', `select lo_export(1, '${copyFile}')`],
    ['dblink', "select * from dblink('dbname=postgres', 'delete from events') as t(x text)"],
    ['pg_read_file', "select pg_read_file('/etc/hostname')"],
    ['pg_ls_dir', "select * from pg_ls_dir('.')"],
    ['nextval', "select nextval('probe_seq')"],
    ['setval', "select setval('probe_seq', 100)"],
    ['SELECT … INTO', 'select * into copy_of_events from events'],
    ['CALL', 'call probe_proc()'],
    ['DO', 'do $$ begin insert into probe_t values (1); end $$'],
    ['a function of the archive', 'select probe_fn()'],
    ['SQL text run by a function', "select query_to_xml('select probe_fn()', true, true, '')"],
    ['a data-modifying WITH', 'with x as (insert into probe_t values (1) returning x) select * from x'],
    ['a schema-qualified call', 'select pg_catalog.pg_sleep(3600)'],
    ['a quoted name', 'select "pg_sleep"(3600)'],
    ['a call spelled around a comment', 'select PG_SLEEP /* nap */ (3600)'],
    ['a second statement', 'select 1; insert into probe_t values (1)'],
  ];

  it.each(refused)('refuses %s with exit 2 and leaves no trace', async (_what, statement) => {
    const before = await traces();
    const r = await cli(['sql', '--db', target, statement]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/^error: /m);
    await expect(store.sql(statement)).rejects.toBeInstanceOf(UsageError);
    expect(await traces()).toEqual(before);
    // The session a terminate would have killed still answers.
    expect((await admin.query('select 1 as one')).rows).toEqual([{ one: 1 }]);
  });

  it('runs on a connection that cannot write', async () => {
    const r = await store.sql(
      "select current_setting('transaction_read_only') as tx, current_setting('default_transaction_read_only') as session",
    );
    expect(r).toMatchObject({ columns: ['tx', 'session'], rows: [['on', 'on']] });
  });

  it('lets through queries that only read, whatever their strings and comments mention', async () => {
    const r = await store.sql(
      `-- pg_sleep(1) in a comment
       with per_kind (kind, n) as (select kind, count(*) from events group by kind)
       select 'pg_sleep(1); delete from events' as text, e'it\\'s' as quoted, $$ lo_export(1) $$ as dollar,
              lower(p.kind) as kind, p.n, round(avg(e.id)::numeric(10, 2), 1) as mean,
              to_char(to_timestamp(max(e.time) / 1000) at time zone 'UTC', 'YYYY-MM-DD') as last
         from per_kind as p (kind, n) join events e on e.kind = p.kind
        group by p.kind, p.n`,
    );
    expect(r.rows).toEqual([['pg_sleep(1); delete from events', "it's", ' lo_export(1) ', 'success', 5, '3.0', '2025-01-01']]);
  });
});
