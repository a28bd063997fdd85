import type { DocSpaceClient } from '../../client/client.js';
import { uniqueUsers } from '../../history/users.js';
import type { LoginEvent } from '../../model/event.js';
import { UsageError } from '../../errors/index.js';
import { portalColumn, userActivityColumns } from '../../output/index.js';
import { rowObject } from '../../output/writer.js';
import { buildUserActivity, USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS, type UserIdentity } from '../../report/activity.js';
import type { ActivityFact } from '../../report/facts.js';
import { EventFacts } from '../../report/sources/events.js';
import { type UserActivity, uniqueUsersOfFacts, userActivityOf } from '../../report/user-activity.js';
import { parseUserSort, sortUsers } from '../../report/user-sort.js';
import { type ArchiveFlags, type ArchiveSelection, parseArchiveFlags } from '../archive.js';
import { type ConnectionFlags, parseConnectionFlags } from '../context.js';
import { type HistoryFlags, type ParsedHistoryFlags, parseHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { EXIT } from '../exit.js';
import { FORMATS_OF } from '../formats.js';
import { type OutputFlags, type OutputOptions, openOutput, parseOutputFlags } from '../output.js';
import { openEventSource, type ReadFrom } from '../source.js';

export type UsersFlags = ConnectionFlags &
  ArchiveFlags & { archive?: boolean } & HistoryFlags &
  OutputFlags & { details?: boolean; includeAnonymous?: boolean };

/** What `users` was asked for, parsed from its flags before any work is done. */
export interface UsersOptions {
  history: ParsedHistoryFlags;
  output: OutputOptions;
  /** The portal, or the archive with `--archive`. */
  from: ReadFrom;
  /** `--details`: counts per user, not just ids. */
  details: boolean;
  includeAnonymous: boolean;
}

function parseUsersFlags(flags: UsersFlags, io: CliIo): UsersOptions {
  const history = parseHistoryFlags(flags);
  const output = parseOutputFlags(flags, io, FORMATS_OF.users);
  const details = Boolean(flags.details);
  if (!details && output.fields) {
    throw new UsageError('--json FIELD,FIELD picks fields of --details rows: add --details');
  }
  const from: ReadFrom = flags.archive ? { archive: parseArchiveFlags(flags) } : { connection: parseConnectionFlags(flags) };
  return { history, output, from, details, includeAnonymous: Boolean(flags.includeAnonymous) };
}

/**
 * `docspace-logins users`: unique user ids of the latest login events, most recent first (the
 * "Get login history" example's job). `--since` widens it to the full history of a period.
 * `--details` counts per user with the same builder as `report users`, so the two agree.
 */
export async function usersCommand(flags: UsersFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const opts = parseUsersFlags(flags, io);
  const { history: parsed, output, details, includeAnonymous } = opts;
  const latestOnly = parsed.filter.since === undefined;
  const out = await openOutput(output, io);
  let selection: ArchiveSelection | undefined;
  if (opts.from.archive) {
    const { openArchiveSelection } = await import('../archive.js');
    selection = await openArchiveSelection(opts.from.archive, io.env);
  }
  // A period of whole days over the archive, with no other filter, is answered from the
  // rollups (the same facts, see report/sources/rollup-facts.ts); anything else reads the events.
  let rolled: { facts: ActivityFact[]; newestIds: Map<string, number> | undefined } | undefined;
  try {
    rolled = selection?.only && !latestOnly ? await rollupFacts(selection, parsed) : undefined;
  } catch (err) {
    await selection?.store.close();
    throw err;
  }
  const source = rolled
    ? { events: [] as LoginEvent[], client: undefined, finish: () => EXIT.ok, close: () => selection!.store.close() }
    : await openEventSource(opts.from, parsed, io, reporter, { latestOnly, selection });
  try {
    // An archive read of several portals counts each portal apart (its own people directory:
    // failures are never attributed across portals) and names the portal in every row.
    const several = Boolean(selection) && !selection?.only;
    const factsByPortal = new Map<string, EventFacts>();
    const events: LoginEvent[] = [];
    for await (const e of source.events) {
      const key = several ? (e.portal ?? '') : '';
      let facts = factsByPortal.get(key);
      if (!facts) factsByPortal.set(key, (facts = new EventFacts()));
      facts.add(e);
      if (!details) events.push(e);
    }
    // Rows of counts: asked for, or the only thing a spreadsheet of users can hold.
    const counted = details || out.format === 'xlsx' || (out.format === 'table' && output.asked);
    let rows: UserActivity[] | undefined;
    let attributed = true;
    if (counted) {
      rows = [];
      // One portal with nothing in the period still says whether it could have attributed.
      if (!several && !factsByPortal.size) factsByPortal.set('', new EventFacts());
      const portalIds = selection && new Map((await selection.store.portals()).map((p) => [p.url, p.id]));
      for (const [portal, facts] of factsByPortal) {
        const people = selection
          ? await archivePeopleFor(selection, several ? portalIds?.get(portal) : selection.only?.id)
          : await livePeopleFor(source.client, reporter);
        // Whole days of one portal come from the rollups (the same facts); the rest from the events read.
        const activity = rolled?.facts ?? facts.activityNow(USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS);
        const built = buildUserActivity(activity, { people, includeAnonymous });
        attributed &&= built.attributed;
        const sorted = sortUsers(built.rows, parseUserSort(undefined)).map(userActivityOf);
        rows.push(...(several ? sorted.map((r) => ({ portal, ...r })) : sorted));
      }
    }
    let skipped = 0;
    let listed: number | undefined;
    if (details) {
      if (parsed.limit) rows = rows!.slice(0, parsed.limit);
    } else {
      const u = rolled ? uniqueUsersOfFacts(rolled.facts, includeAnonymous, rolled.newestIds) : uniqueUsers(events, includeAnonymous);
      skipped = u.anonymousSkipped;
      const ids = parsed.limit ? u.userIds.slice(0, parsed.limit) : u.userIds;
      // Like the seed example: plain ids, one per line, unless a format was asked for.
      const plain = !output.asked;
      listed = ids.length;
      if (plain) for (const id of ids) out.sink.write(`${id}\n`);
      else if (out.format === 'json') out.sink.write(`${JSON.stringify(ids, null, 2)}\n`);
      else if (out.format === 'ndjson' || out.format === 'csv') {
        // One id per line: the plain list scripts expect (CSV gets a header).
        if (out.format === 'csv') out.sink.write('userId\n');
        for (const id of ids) out.sink.write(out.format === 'ndjson' ? `${JSON.stringify(id)}\n` : `${id}\n`);
      } else {
        const byId = new Map(rows!.map((r) => [r.userId, r]));
        rows = ids.map((id) => byId.get(id)!);
      }
    }
    if (rows) {
      if (!attributed) {
        const { NOT_ATTRIBUTED } = await import('../report-portals.js');
        reporter.warn(NOT_ATTRIBUTED);
      }
      const columns = several ? [portalColumn<UserActivity>(), ...userActivityColumns] : userActivityColumns;
      const writer = out.writer({
        columns,
        json: (r) => ({ ...rowObject(columns, r), attributed }),
      });
      for (const r of rows) await writer.write(r);
      await writer.end();
    }
    if (!details && skipped > 0 && !includeAnonymous) {
      reporter.note(
        `note: ${skipped} anonymous event(s) (failed logins under the Guest id) were left out; add --include-anonymous to list the Guest id`,
      );
    }
    await out.close();
    // A plain list of ids goes past the row writer: its count is given.
    out.finish(reporter, 'users', rows ? rows.length : listed);
    return source.finish();
  } finally {
    await out.close();
    await source.close();
  }
}

/**
 * The users report's facts from the rollups, when the read is one archived portal over whole UTC
 * days (or since a UTC midnight) with no `--user`, kind or action filter; undefined otherwise.
 */
async function rollupFacts(
  selection: ArchiveSelection,
  parsed: ParsedHistoryFlags,
): Promise<{ facts: ActivityFact[]; newestIds: Map<string, number> | undefined } | undefined> {
  const f = parsed.filter;
  // One portal: several are counted portal by portal, each with its own people directory.
  if (!selection.only) return undefined;
  if (parsed.users.length || f.userIds?.length || f.logins?.length || f.kinds?.length || f.actionIds?.length) return undefined;
  const { wholeUnits } = await import('../../report/sources/rollup-facts.js');
  if (!wholeUnits(f, 86_400_000)) return undefined;
  const { archiveData } = await import('../../report/sources/archive/index.js');
  const { RollupReportData } = await import('../../report/sources/rollup-facts.js');
  const data = await archiveData(selection.store, { portalIds: selection.portalIds, since: f.since, until: f.until });
  if (!(data instanceof RollupReportData)) return undefined;
  return { facts: await data.activity(USER_ACTIVITY_DIMS, USER_ACTIVITY_OPTIONS), newestIds: await data.newestIds() };
}

async function livePeopleFor(client: DocSpaceClient | undefined, reporter: Reporter) {
  if (!client) return undefined;
  const { livePeople } = await import('./report.js');
  return livePeople(client, reporter);
}

async function archivePeopleFor(
  selection: ArchiveSelection,
  portalId: number | undefined,
): Promise<Map<string, UserIdentity> | undefined> {
  if (portalId === undefined) return undefined;
  const { archivePeople } = await import('./report.js');
  return archivePeople(selection.store, portalId);
}
