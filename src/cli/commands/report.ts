/**
 * `docspace-logins report NAME`: the reports of `src/report` over the archive (default) or a
 * live read (`--live`). A thin shell: flags in, facts from the chosen source, the pure report,
 * rows out in the chosen format. Heavy modules (the store, the output writers) load only when used.
 */
import { Argument, type Command } from 'commander';
import { UsageError } from '../../errors/index.js';
import type { DocSpaceClient } from '../../client/client.js';
import type { ArchiveStore } from '../../store/index.js';
import type { Member } from '../../report/members.js';
import type { DirectoryPerson } from '../../model/person.js';
import type { UserIdentity } from '../../report/reports/index.js';
import { parseUserSort, USER_SORT_KEYS, type UserSort } from '../../report/user-sort.js';
import { isReportName, REPORT_NAMES, type ReportName } from '../../report/run.js';
import { parseZone, type ZoneSpec } from '../../report/zone.js';
import type { ArchiveFlags, ArchiveOptions } from '../archive.js';
import type { ConnectionFlags, ConnectionOptions } from '../context.js';
import { type CommandHelpers, collect } from '../command-helpers.js';
import { EXIT } from '../exit.js';
import type { ParsedHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import type { OutputFlags, OutputOptions } from '../output.js';
import type { ReportPart } from '../report-portals.js';
import type { ReadFrom } from '../source.js';
import { oneOf } from '../suggest.js';

export type ReportFlags = ConnectionFlags &
  ArchiveFlags &
  OutputFlags & {
    since?: string;
    until?: string;
    user?: string[];
    tz?: string;
    top?: string;
    sort?: string;
    days?: string;
    includeDisabled?: boolean;
    live?: boolean;
    all?: boolean;
    /** `--no-chart` sets it false. */
    chart?: boolean;
    /** `--no-mask-logins` sets it false. */
    maskLogins?: boolean;
    debug?: boolean;
    quiet?: boolean;
  };

const DAY = 86_400_000;
/** Period of every report but `inactive` when no `--since` is given. */
export const DEFAULT_REPORT_DAYS = 30;
/** `inactive` without `--days`. */
export const DEFAULT_INACTIVE_DAYS = 30;
const TOP_DEFAULT_REPORTS: ReadonlySet<ReportName> = new Set(['ips', 'countries', 'browsers', 'platforms']);

/** What `report` was asked for, parsed once from its flags before any work is done. */
export interface ReportOptions {
  name: ReportName;
  /** "Now" for the default period and relative times. */
  now: number;
  /** The period (the default one filled in) and `--user`. */
  history: ParsedHistoryFlags;
  zone: ZoneSpec;
  /** Rows of a top-N report (its default filled in). */
  top?: number;
  /** `inactive`: no successful login in this many days. */
  days: number;
  sort?: UserSort;
  includeDisabled: boolean;
  /** `--no-chart` turns the daily chart off. */
  chart: boolean;
  /**
   * The failures report shows typed logins that may be passwords as their keyed hash, with the
   * detect key of the archive `db` names for a live read (`--no-mask-logins`: false, as typed).
   */
  maskLogins: false | { db?: string };
  output: OutputOptions;
  /** The archive (default) or the portal (`--live`). */
  from: ReadFrom;
}

async function parseReportFlags(name: string, flags: ReportFlags, io: CliIo): Promise<ReportOptions> {
  if (!isReportName(name)) {
    throw new UsageError(`There is no report "${name}": use one of ${REPORT_NAMES.join(', ')}`);
  }
  // Loaded here, not at start-up: `run.ts` imports this module to declare the command.
  const { parseWholeNumber, parseConnectionFlags } = await import('../context.js');
  const { parseArchiveFlags } = await import('../archive.js');
  const { parseHistoryFlags } = await import('../history-flags.js');
  const { parseOutputFlags } = await import('../output.js');
  const now = Date.now();
  // `--since all`: the whole history. Without --since, the 30 days up to --until (inactive: all of it).
  const defaultSpan = name === 'inactive' ? undefined : DEFAULT_REPORT_DAYS * DAY;
  const history = parseHistoryFlags({ since: flags.since, until: flags.until, user: flags.user }, now, defaultSpan);
  const zone = parseZone(flags.tz, io.env);
  const top = parseWholeNumber(flags.top, '--top', 1, 1_000_000);
  if (flags.days !== undefined && name !== 'inactive') throw new UsageError('--days is for the inactive report');
  const days = parseWholeNumber(flags.days, '--days', 0, 36_500) ?? DEFAULT_INACTIVE_DAYS;
  if (flags.sort !== undefined && name !== 'users') throw new UsageError('--sort is for the users report');
  const sort = name === 'users' ? parseUserSort(flags.sort) : undefined;
  if (flags.live && flags.all) throw new UsageError('--live reads one portal: leave out --all');
  const from: ReadFrom = flags.live ? { connection: parseConnectionFlags(flags) } : { archive: parseArchiveFlags(flags) };
  // Fail on a bad --format before any work is done.
  const output = parseOutputFlags(flags, io, FORMATS_OF.report);
  return {
    name,
    now,
    history,
    zone,
    top: top ?? (TOP_DEFAULT_REPORTS.has(name) ? 10 : undefined),
    days,
    sort,
    includeDisabled: Boolean(flags.includeDisabled),
    chart: flags.chart !== false,
    maskLogins: flags.maskLogins === false ? false : { db: flags.db },
    output,
    from,
  };
}

/** Run one report; returns the exit code. */
export async function reportCommand(
  name: string,
  flags: ReportFlags,
  io: CliIo,
  reporter: Reporter,
): Promise<number> {
  const opts = await parseReportFlags(name, flags, io);
  const source = opts.from.archive
    ? await archiveSource(opts, opts.from.archive, io, reporter)
    : await liveSource(opts, opts.from.connection, io, reporter);
  try {
    const { runReports, writeReports } = await import('../report-portals.js');
    await writeReports(await runReports(source.parts, opts, reporter), opts, io, reporter);
    return source.finish();
  } finally {
    await source.close();
  }
}

interface Source {
  parts: ReportPart[];
  finish(): number;
  close(): Promise<void>;
}

async function archiveSource(opts: ReportOptions, archive: ArchiveOptions, io: CliIo, reporter: Reporter): Promise<Source> {
  const { name, history: parsed } = opts;
  const { openArchive, selectedPortals } = await import('../archive.js');
  const { archiveData } = await import('../../report/sources/archive/index.js');
  const store = await openArchive(archive, io.env, true);
  try {
    const portalIds = await selectedPortals(store, archive, io.env);
    const portals = await store.portals();
    const ids = portalIds ?? portals.map((p) => p.id);
    if (!ids.length) reporter.note('The archive is empty: run docspace-logins sync');
    const { archiveFilter } = await import('../archive.js');
    const who =
      parsed.users.length && name !== 'inactive'
        ? await archiveFilter({ store, portalIds: ids, only: undefined }, parsed)
        : { userIds: undefined, logins: undefined };
    const part = async (scope: number[]): Promise<ReportPart> => ({
      data: await archiveData(store, {
        portalIds: scope,
        since: parsed.filter.since,
        until: parsed.filter.until,
        userIds: who.userIds,
        logins: who.logins,
      }),
      // Members come from the archived people directory, their last logins from the archived
      // history: no portal is needed once synced.
      members:
        name === 'inactive'
          ? async () => {
              const { archivedPeople } = await import('../../store/people-lookup.js');
              return chooseMembers(await archivedPeople(store, scope), parsed.users, opts);
            }
          : undefined,
      identities: name === 'users' && scope.length === 1 ? () => archivePeople(store, scope[0]) : undefined,
      loginMask:
        name === 'failures' && opts.maskLogins && scope.length === 1
          ? async () => {
              const { archivedPortalMask } = await import('../login-mask.js');
              return archivedPortalMask(store, scope[0], portals.find((p) => p.id === scope[0])?.url ?? '');
            }
          : undefined,
    });
    // Several portals: one report each, every row naming its portal.
    const url = new Map(portals.map((p) => [p.id, p.url]));
    const parts =
      ids.length > 1
        ? await Promise.all(ids.map(async (id) => ({ ...(await part([id])), portal: url.get(id) })))
        : [await part(ids)];
    return {
      parts,
      finish: () => EXIT.ok,
      async close() {
        await store.close();
      },
    };
  } catch (err) {
    await store.close();
    throw err;
  }
}

async function liveSource(opts: ReportOptions, connection: ConnectionOptions, io: CliIo, reporter: Reporter): Promise<Source> {
  const { name, history: parsed } = opts;
  const { openEventSource } = await import('../source.js');
  const { EventFacts } = await import('../../report/sources/events.js');
  const period = { since: parsed.filter.since, until: parsed.filter.until };
  // "New users" need each user's first event ever: the summary reads the whole retained history.
  const readFilter = { ...parsed.filter };
  if (name === 'summary') delete readFilter.since;
  if (name === 'inactive') readFilter.kinds = ['success'];
  const users = name === 'inactive' ? [] : parsed.users;
  const source = await openEventSource({ connection }, { filter: readFilter, users }, io, reporter);
  try {
    const facts = await new EventFacts(period).addAll(source.events);
    const client = source.client!;
    return {
      parts: [
        {
          data: facts,
          members: async () => {
            const { readDirectory } = await import('../../sync/people.js');
            return chooseMembers(await readDirectory(client), parsed.users, opts);
          },
          identities: () => livePeople(client, reporter),
          loginMask:
            name === 'failures' && opts.maskLogins
              ? async () => {
                  const { liveLoginMask } = await import('../login-mask.js');
                  const portal = { url: source.portal, demo: connection.demo };
                  return liveLoginMask(opts.maskLogins ? opts.maskLogins.db : undefined, portal, io.env, reporter);
                }
              : undefined,
        },
      ],
      finish: () => source.finish(),
      close: () => source.close(),
    };
  } catch (err) {
    await source.close();
    throw err;
  }
}

/**
 * The members `inactive` lists: everyone in the directory but the disabled (unless
 * `--include-disabled`), invited members marked pending; with `--user`, those the one resolver
 * names.
 */
async function chooseMembers(
  people: readonly DirectoryPerson[],
  users: readonly string[],
  opts: Pick<ReportOptions, 'includeDisabled'>,
): Promise<Member[]> {
  const { memberFromDirectory } = await import('../../report/members.js');
  let chosen = people.filter((p) => opts.includeDisabled || p.status !== 2);
  if (users.length) {
    const { resolveUsers } = await import('../../history/resolve-users.js');
    const byId = new Map(people.map((p) => [p.id, p]));
    const lookup = {
      byId: async (id: string) => byId.get(id),
      byEmail: async (e: string) => people.find((p) => p.email?.toLowerCase() === e.toLowerCase()),
      byUserName: async (n: string) => people.find((p) => p.userName?.toLowerCase() === n.toLowerCase()),
      byDisplayName: async (n: string) => people.filter((p) => p.displayName.toLowerCase() === n.toLowerCase()),
    };
    const wanted = new Set((await resolveUsers(users, lookup)).map((p) => p.id));
    chosen = chosen.filter((p) => wanted.has(p.id));
  }
  return chosen.map(memberFromDirectory);
}

/** The portal's people list, or undefined (with the reason under --debug) when it cannot be read. */
export async function livePeople(client: DocSpaceClient, reporter: Reporter): Promise<Map<string, UserIdentity> | undefined> {
  const { peopleIdentities } = await import('../../report/members.js');
  try {
    return await peopleIdentities(client);
  } catch (err) {
    reporter.debug(`people list unavailable: ${(err as Error).message}`);
    return undefined;
  }
}

/**
 * One portal's people directory, from the archive itself (sync keeps it). Each portal has its own
 * people: a read of several portals gets one report per portal, never attribution across them.
 */
export async function archivePeople(store: ArchiveStore, portalId: number): Promise<Map<string, UserIdentity> | undefined> {
  const people = await store.people(portalId, { includeRemoved: true });
  if (!people.length) return undefined;
  return new Map(people.map((p) => [p.id, { email: p.email, userName: p.userName, name: p.displayName }]));
}

/** What `report --help` adds below the options. */
export const REPORT_HELP = `
Reports (all but inactive cover the last ${DEFAULT_REPORT_DAYS} days unless --since says otherwise; --since all: everything):
  summary     events by kind, unique and new users, anonymous failures, busiest day and hour,
              top countries
  users       one row per user: first and last login, successes, failures, logouts, IPs,
              countries, browsers, platforms (--sort ${USER_SORT_KEYS.slice(0, 4).join('|')}|...); an anonymous
              failure counts for the member whose e-mail or user name was typed (needs the people list)
  failures    failed attempts by typed login and by source IP, and whether a login then succeeded
  inactive    active members with no successful login in --days N days (default ${DEFAULT_INACTIVE_DAYS}), or never
              (needs the portal for the members list)
  ips, countries, browsers, platforms
              the top --top N (default 10) by events, with unique users
  daily       events per day by kind in the --tz zone; a bar chart follows the table on a terminal

Reports read the archive (--db) over every archived portal, or one with --profile/--portal;
--live reads the portal's own history instead. Times are shown in --tz: portal (the offset the
portal gave each event, as DocSpace shows it), local, UTC, +hh:mm or an IANA zone such as
Europe/Berlin (day boundaries follow its DST changes). --until also sets "now" for inactive.`;

/** Declare `report <name>` on `program`. */
export function registerReportCommand(program: Command, h: CommandHelpers): Command {
  const cmd = program
    .command('report')
    .description('reports over the archive (or --live): summary, users, failures, inactive, top N, daily')
    .addArgument(new Argument('<name>', 'which report').choices(REPORT_NAMES).argParser(oneOf(REPORT_NAMES, 'report')))
    .option('--db <path|url>', 'archive: SQLite file or postgres:// URL (env DOCSPACE_LOGINS_DB)')
    .option('--all', 'every portal in the archive (the default without --profile/--portal)')
    .option('--live', "read the portal's history instead of the archive")
    .option(
      '--since <when>',
      `from this time: ISO date/date-time (UTC unless zoned), relative (30d, 12h) or "all" (default: ${DEFAULT_REPORT_DAYS}d)`,
    )
    .option('--until <when>', 'up to this time (same forms as --since; a relative --since counts back from a dated --until)')
    .option('--user <id|email|login>', 'only this user (repeatable); matches failures by typed login too', collect)
    .option('--tz <zone>', 'portal (default), local, UTC, +hh:mm or an IANA zone like Europe/Berlin')
    .option('--top <n>', 'rows of a top-N report (default 10; summary: countries, default 5)')
    .option('--sort <key>', `users: ${USER_SORT_KEYS.join(', ')} (add :asc or :desc)`)
    .option('--days <n>', `inactive: no successful login in this many days (default ${DEFAULT_INACTIVE_DAYS})`)
    .option('--include-disabled', 'inactive: list disabled members too')
    .option('--no-chart', 'daily: no bar chart after the table')
    .option('--mask-logins', 'failures: typed logins that look like passwords as a keyed hmac:… of the case-folded login (the default)')
    .option('--no-mask-logins', 'failures: typed logins in clear (case-folded, as the report groups them), passwords included')
    .option('--json [fields]', 'same as --format json; with fields, only those');
  h.commonOptions(h.outputOptions(h.connectionOptions(cmd)));
  cmd.addHelpText('after', REPORT_HELP);
  cmd.action((name: string, flags: ReportFlags) =>
    h.action<ReportFlags>((f, io, r) => reportCommand(name, f, io, r))(flags),
  );
  return cmd;
}
