// First sync against the store's own ceiling (a raw insert loop), then a sync with nothing new.
import { join } from 'node:path';
import { PEOPLE_SYNC_CLAIM } from '../lib/catalogue.mjs';
import { fmt, ms, perSecond, secs } from '../lib/format.mjs';
import { otherBuild } from '../lib/library.mjs';
import { CLI, emulator, measure, runTask } from '../lib/process.mjs';
import { besideUnit, unitOf } from './cold-start.mjs';

const SEED = 4;
const DAYS = 180;

export async function archiveSync(ctx) {
  const s = ctx.size;
  unitOf(ctx); // before minutes of syncing, not after
  // The raw insert runs just before and just after the first sync into SQLite, and its baseline is
  // their mean: a share of two rates measured minutes apart moved with the host's load between
  // them (42-47% in two loaded stretches of one afternoon, 56-64% in the quiet ones).
  const rawInsert = async (file) => {
    ctx.log(`raw-insert baseline: ${fmt(s.syncEvents)} events into the archive schema...`);
    return runTask('raw-insert.mjs', [join(ctx.dir, file), String(s.syncEvents), String(SEED), String(DAYS), String(s.syncUsers)]);
  };
  const before = await rawInsert('raw-before.sqlite');
  // Judged once, after the first sync into SQLite; the PostgreSQL row is judged by the same.
  let judged;
  const against = () =>
    (judged ??= (async () => {
      const after = await rawInsert('raw-after.sqlite');
      const rawRate = perSecond(after.events, (before.ms + after.ms) / 2);
      ctx.results.note(
        'sync',
        `Raw-insert baseline: ${fmt(after.events)} events in ${secs(before.ms)} before the first sync into SQLite and ${secs(after.ms)} after it, ${fmt(rawRate)} events/s on their mean.`,
      );
      return { rawRate, baseline: `raw insert ${fmt(rawRate)}/s` };
    })());
  const sqlite = await syncOnce(ctx, join(ctx.dir, 'sync.sqlite'), 'sqlite', 'SQLite', against);
  if (otherBuild) {
    // The rollups' cost is measured inside this checkout's store: another build's is not asked.
    ctx.results.skip('sync.sqlite.rollups', 'skipped: measured for this checkout only');
  } else {
    ctx.log(`rollups' cost in the insert path: ${fmt(s.syncEvents)} events...`);
    const cost = await runTask('rollup-cost.mjs', [join(ctx.dir, 'rollup-cost'), String(s.syncEvents), String(SEED), String(DAYS), String(s.syncUsers)]);
    ctx.results.record('sync.sqlite.rollups', {
      measured: `rollups ${ms(cost.rollupMs)}`,
      baseline: `insertEvents ${ms(cost.insertMs)} (${fmt(perSecond(cost.events, cost.insertMs))} events/s)`,
      ratio: cost.rollupMs / cost.insertMs,
    });
  }
  // The claim in this run's units: events per bare `node -e 0`, against the 2,240 of the machine it was made on.
  const claimRate = (PEOPLE_SYNC_CLAIM.eventsPerSecond * PEOPLE_SYNC_CLAIM.referenceUnitMs) / unitOf(ctx);
  ctx.results.record('sync.sqlite.claim', {
    measured: `${fmt(sqlite.rate)} events/s`,
    baseline: `claim here ${fmt(claimRate)}/s (unit ${ms(unitOf(ctx))})`,
    ratio: sqlite.rate / claimRate,
  });
  if (process.env.DOCSPACE_LOGINS_TEST_PG) {
    const fresh = await freshDatabase(process.env.DOCSPACE_LOGINS_TEST_PG);
    try {
      await syncOnce(ctx, fresh.url, 'pg', 'PostgreSQL', against);
    } finally {
      await fresh.drop();
    }
  } else {
    const why = 'skipped: set DOCSPACE_LOGINS_TEST_PG';
    for (const id of ['sync.pg.first', 'sync.pg.again', 'sync.pg.requests', 'sync.pg.rssMb']) ctx.results.skip(id, why);
  }
}

/**
 * A database of its own on the server `url` names, dropped afterwards: the first sync is then a
 * first sync (an empty archive, as SQLite's new file is), whatever earlier runs left, and a build
 * with another schema (an A/B run's) never meets this one's tables.
 */
async function freshDatabase(url) {
  const { default: pg } = await import('pg');
  const name = `dl_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  try {
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const target = new URL(url);
  target.pathname = `/${name}`;
  return {
    url: target.href,
    drop: async () => {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      try {
        await c.query(`drop database if exists ${name} with (force)`);
      } finally {
        await c.end();
      }
    },
  };
}

/**
 * Let the server finish digesting the first sync's load before the syncs with nothing new are
 * timed, as a scheduled sync an hour later finds it: autovacuum's VACUUM of 1M new events (it starts
 * within a minute of the load and runs for tens of seconds) and the checkpoint that writes their
 * pages, done here at once. Timed beside them, a sync with nothing new took 330-410 ms; after them,
 * 292-298 ms (1M events, 7 runs, three rounds each). The fresh database holds only this run's archive.
 * CHECKPOINT needs a role that may (superuser or pg_checkpoint): without one it is noted, not failed.
 */
async function settle(ctx, url) {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query('vacuum (analyze)');
    await c.query('checkpoint');
  } catch (err) {
    ctx.results.note('sync', `PostgreSQL: the first sync's load could not be settled (${err.message}): the syncs with nothing new ran beside the server's own work on it.`);
  } finally {
    await c.end();
  }
}

/** `against()` gives the raw-insert rate the first sync is judged by, asked for once the first sync has run. */
async function syncOnce(ctx, db, id, label, against) {
  const s = ctx.size;
  ctx.log(`first sync of ${fmt(s.syncEvents)} events into ${label}...`);
  const emu = await emulator(['--events', String(s.syncEvents), '--seed', String(SEED), '--days', String(DAYS), '--users', String(s.syncUsers)]);
  try {
    const sync = [CLI, 'sync', '--db', db, '-q', '--json'];
    const first = await measure(sync, { env: emu.env, keepStdout: true });
    const result = JSON.parse(first.stdout.trim().split('\n').pop());
    if (result.added !== s.syncEvents) throw new Error(`the first sync into ${label} added ${result.added} of ${s.syncEvents} events`);
    // An A/B run against a build from before the people directory (BENCH_CLI) syncs events only.
    if (!process.env.BENCH_CLI && !(result.people?.members > 0)) throw new Error(`the first sync into ${label} did not read the people directory`);
    const rate = perSecond(result.added, first.ms);
    const { rawRate, baseline } = await against();
    ctx.results.record(`sync.${id}.first`, {
      measured: `${fmt(rate)} events/s (${secs(first.ms)})`,
      baseline,
      ratio: rate / rawRate,
    });
    ctx.results.limit(`sync.${id}.rssMb`, first.rssMb);
    if (id === 'pg') await settle(ctx, db);

    // Requests are counted on one sync with nothing new; its time is the median of several, as
    // every other latency row is (single samples of this row ranged 2.8-3.5 units on one host),
    // each after a bare start that gives the unit beside it.
    await emu.resetStats();
    await measure(sync, { env: emu.env });
    const stats = await emu.stats();
    const history = Object.entries(stats.byPath ?? {})
      .filter(([path]) => path.includes('/login/'))
      .reduce((n, [, c]) => n + Number(c), 0);
    const again = await besideUnit(s.repeats + 2, async () => (await measure(sync, { env: emu.env })).ms);
    ctx.results.record(`sync.${id}.again`, {
      measured: `${ms(again.ms)} (median of ${again.runs})`,
      baseline: `unit ${ms(again.unit)}`,
      ratio: again.ms / again.unit,
    });
    ctx.results.limit(`sync.${id}.requests`, stats.requests);
    ctx.results.note(
      'sync',
      `${label}: ${fmt(result.added)} events and ${fmt(result.people?.members ?? 0)} members in ${secs(first.ms)}, peak RSS ${fmt(first.rssMb, 0)} MB; nothing new: ${stats.requests} requests (${history} history), ${ms(again.ms)} (median of ${again.runs}).`,
    );
    return { rate };
  } finally {
    await emu.close();
  }
}
