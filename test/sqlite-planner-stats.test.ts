/**
 * The planner's statistics of a large SQLite archive tell one member's events from the portal's.
 * Statistics sampled from the first 400 rows of each index (what `optimize` makes) cannot: on an
 * archive of one portal they said a member has as many events as the portal, and per-member
 * queries scanned the whole portal. The store makes such statistics again from whole tables.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, expect, it } from 'vitest';
import type { LoginEvent } from '../src/model/event.js';
import { openStore } from '../src/store/index.js';
import { sampleEvent } from './helpers/events.js';

const dir = mkdtempSync(join(tmpdir(), 'dl-planner-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const EVENTS = 120_000;
const MEMBERS = 200;
const T0 = Date.parse('2025-01-01T00:00:00Z');
const member = (i: number) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;

function events(from: number, n: number): LoginEvent[] {
  const base = sampleEvent();
  return Array.from({ length: n }, (_, k) => {
    const i = from + k;
    return { ...base, id: i + 1, time: T0 + i * 60_000, userId: member(i % MEMBERS), ip: `198.51.100.${i % 250}` };
  });
}

/** The `events_user` statistics: rows, rows per portal, rows per portal and member. */
function userStats(path: string): number[] {
  const d = new Database(path, { readonly: true });
  try {
    const row = d.prepare("select stat from sqlite_stat1 where tbl = 'events' and idx = 'events_user'").get() as { stat: string } | undefined;
    return row ? row.stat.split(' ').slice(0, 3).map(Number) : [];
  } finally {
    d.close();
  }
}

/** How SQLite runs one member's events grouped by address (the User page's query shape). */
function memberPlan(path: string): string {
  const d = new Database(path, { readonly: true });
  try {
    const q = "select ip, count(*), max(time) as last from events where portal_id = 1 and user_id in (?) group by ip order by last desc limit 20";
    return (d.prepare(`explain query plan ${q}`).all(member(7)) as Array<{ detail: string }>).map((r) => r.detail).join('; ');
  } finally {
    d.close();
  }
}

it('a large archive leaves the store with statistics that find a member by the user index', async () => {
  const path = join(dir, 'large.sqlite');
  const store = await openStore(path);
  const p = await store.ensurePortal({ url: 'https://acme.example.com' });
  for (let i = 0; i < EVENTS; i += 10_000) await store.insertEvents(p, events(i, 10_000));
  await store.close();
  // Whole-table statistics (made at 100k events or later): every row is the one portal's.
  const [rows, perPortal, perMember] = userStats(path);
  expect(rows).toBeGreaterThanOrEqual(100_000);
  expect(perPortal).toBe(rows);
  expect(perMember).toBeLessThanOrEqual((2 * rows) / MEMBERS);
  expect(memberPlan(path)).toContain('INDEX events_user');

  // Sampled statistics, as `optimize` left them in archives of earlier versions, are made again.
  const d = new Database(path);
  d.pragma('analysis_limit = 400');
  d.exec('ANALYZE');
  d.close();
  const [, sampledPortal, sampledMember] = userStats(path);
  expect(sampledMember * 2).toBeGreaterThan(sampledPortal);
  expect(memberPlan(path)).not.toContain('INDEX events_user');
  const again = await openStore(path);
  await again.analyze();
  await again.close();
  const [fullRows, fullPortal, fullMember] = userStats(path);
  expect([fullRows, fullPortal]).toEqual([EVENTS, EVENTS]);
  expect(fullMember).toBeLessThanOrEqual((2 * EVENTS) / MEMBERS);
  expect(memberPlan(path)).toContain('INDEX events_user');
}, 120_000);

it('a small archive keeps the sampled statistics (the planner does well enough there)', async () => {
  const path = join(dir, 'small.sqlite');
  const store = await openStore(path);
  const p = await store.ensurePortal({ url: 'https://acme.example.com' });
  await store.insertEvents(p, events(0, 5_000));
  await store.analyze();
  await store.close();
  const [rows, perPortal] = userStats(path);
  expect(rows).toBe(5_000);
  expect(perPortal).toBeLessThan(5_000);
});
