/**
 * `docspace-logins findings list | show ID | ack ID | resolve ID | suppress ID --for 24h`: the
 * findings stored in the archive and their status. Ids may be shortened to any unique prefix
 * (at least 4 hex digits), like git's. A thin shell over the store's findings module.
 */
import { SEVERITIES, type Severity } from '../../detect/types.js';
import { UsageError } from '../../errors/index.js';
import { isoUtc, parseDuration } from '../../model/time.js';
import type { ShownFinding } from '../../output/findings.js';
import { type ArchiveStore, FINDING_STATUSES, type FindingStatus, type StoredFinding } from '../../store/index.js';
import type { ArchiveFlags, ArchiveSelection } from '../archive.js';
import { parseSince } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, type OutputOptions, parseOutputFlags, writeRows } from '../output.js';
import { FORMATS_OF } from '../formats.js';

export interface FindingsFlags extends ArchiveFlags, OutputFlags {
  status?: string[];
  severity?: string;
  rule?: string[];
  since?: string;
  limit?: string;
  note?: string;
  for?: string;
  debug?: boolean;
  quiet?: boolean;
}

const list = (values: readonly string[] | undefined) =>
  (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** Findings in the chosen format: a table on a terminal, NDJSON piped, ECS for SIEMs. */
export async function printFindings(
  findings: readonly ShownFinding[],
  output: OutputOptions,
  io: CliIo,
  reporter: Reporter,
  /** More than one portal in scope: every row names its portal (ECS always does, as observer.hostname). */
  several: boolean,
): Promise<void> {
  const { FINDING_FIELDS, findingColumns, findingJson, findingToEcs, portalFindingColumns } = await import('../../output/findings.js');
  const out = await writeRows(
    output,
    io,
    {
      columns: several ? portalFindingColumns : findingColumns,
      json: several ? findingJson : (f) => findingJson({ ...f, portal: undefined }),
      jsonFields: several ? FINDING_FIELDS : FINDING_FIELDS.filter((k) => k !== 'portal'),
      ecs: (f) => findingToEcs(f),
    },
    findings,
  );
  out.finish(reporter, 'findings');
}

/** Names the members that user-id groups stand for (shown instead of ids in a terminal's table). */
export async function nameGroups(store: ArchiveStore, findings: ShownFinding[]): Promise<void> {
  const names = new Map<number, Map<string, string>>();
  for (const f of findings) {
    let byId = names.get(f.portalId);
    if (!byId) {
      byId = new Map((await store.people(f.portalId, { includeRemoved: true })).map((p) => [p.id, p.displayName]));
      names.set(f.portalId, byId);
    }
    const who = byId.get(f.group);
    if (who) f.who = who;
  }
}

async function openSelection(flags: FindingsFlags, io: CliIo, readOnly: boolean): Promise<ArchiveSelection & { urls: Map<number, string> }> {
  const { openArchive, parseArchiveFlags, selectedPortals } = await import('../archive.js');
  const archive = parseArchiveFlags(flags);
  // `--demo` alone reads a fresh temporary archive, which holds no findings: the demo's are where `detect --demo --db FILE` put them.
  if (archive.demo && !archive.db) {
    throw new UsageError('Findings live in an archive: with --demo, name it with --db FILE (the one "detect --demo --db FILE" stored them in)');
  }
  const store = await openArchive(archive, io.env, { readOnly, syncDemo: false });
  try {
    const portalIds = await selectedPortals(store, archive, io.env);
    const urls = new Map((await store.portals()).map((p) => [p.id, p.url]));
    return { store, portalIds, only: undefined, urls };
  } catch (err) {
    await store.close();
    throw err;
  }
}

function shown(f: StoredFinding, urls: Map<number, string>): ShownFinding {
  return { ...f, portal: urls.get(f.portalId) };
}

export async function findingsListCommand(flags: FindingsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const statuses = list(flags.status).map((s) => s.toLowerCase());
  for (const s of statuses) {
    if (!(FINDING_STATUSES as readonly string[]).includes(s)) throw new UsageError(`--status "${s}" is not one of: ${FINDING_STATUSES.join(', ')}`);
  }
  const severity = flags.severity?.trim().toLowerCase();
  if (severity !== undefined && !(SEVERITIES as readonly string[]).includes(severity)) {
    throw new UsageError(`--severity "${flags.severity}" is not one of: ${SEVERITIES.join(', ')} (this one and above)`);
  }
  // Fail on a bad --format before any work is done.
  const output = parseOutputFlags(flags, io, FORMATS_OF.findings);
  const now = Date.now();
  const since = parseSince(flags.since, now);
  let limit: number | undefined;
  if (flags.limit !== undefined) {
    limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a whole number from 1 (got "${flags.limit}")`);
  }
  const sel = await openSelection(flags, io, true);
  try {
    const found = await sel.store.listFindings({
      portalIds: sel.portalIds,
      status: statuses.length ? (statuses as FindingStatus[]) : undefined,
      minSeverity: severity as Severity | undefined,
      rule: list(flags.rule),
      since,
      limit,
      now,
    });
    const several = (sel.portalIds?.length ?? sel.urls.size) > 1;
    const rows = found.map((f) => shown(f, sel.urls));
    await nameGroups(sel.store, rows);
    await printFindings(rows, output, io, reporter, several);
    return 0;
  } finally {
    await sel.store.close();
  }
}

/** One finding in full: every field, its evidence and history (YAML-like text on a terminal, else JSON). */
export async function findingsShowCommand(id: string, flags: FindingsFlags, io: CliIo): Promise<number> {
  const sel = await openSelection(flags, io, true);
  try {
    const f = shown(await sel.store.getFinding(id, { portalIds: sel.portalIds }), sel.urls);
    await nameGroups(sel.store, [f]);
    const { findingJson, findingToEcs } = await import('../../output/findings.js');
    const format = flags.format ?? (flags.json ? 'json' : undefined);
    if (format === 'ecs') io.stdout.write(`${JSON.stringify(findingToEcs(f))}\n`);
    else if (format && format !== 'table') io.stdout.write(`${JSON.stringify(findingJson(f), null, format === 'json' ? 2 : undefined)}\n`);
    else io.stdout.write(describe(f));
    return 0;
  } finally {
    await sel.store.close();
  }
}

function describe(f: ShownFinding): string {
  const lines = [
    `${f.id}  ${f.severity.toUpperCase()}  ${f.rule}  ${f.title}`,
    `portal:     ${f.portal ?? ''}`,
    `group:      ${f.who ? `${f.who} (${f.group})` : f.group}`,
    `status:     ${f.status}${f.suppressedUntil ? ` until ${new Date(f.suppressedUntil).toISOString()}` : ''}`,
    `seen:       ${isoUtc(f.firstSeen)} → ${isoUtc(f.lastSeen)} (${f.count} event${f.count === 1 ? '' : 's'}, confidence ${f.confidence})`,
    `tags:       ${f.tags.join(', ')}`,
    `events:     ${f.eventIds.join(', ')}`,
    ...(f.sessionIds.length ? [`sessions:   ${f.sessionIds.join(', ')} (successful logins: logout by these ids)`] : []),
    'evidence:',
    ...Object.entries(f.evidence).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    'history:',
    ...f.history.map((h) => `  ${new Date(h.at).toISOString()}  ${h.status}${h.note ? `  ${h.note}` : ''}`),
  ];
  return `${lines.join('\n')}\n`;
}

/** `ack`, `resolve`, `suppress`: one status change, kept in the finding's history. */
export async function findingsStatusCommand(id: string, status: FindingStatus, flags: FindingsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  let until: number | undefined;
  if (status === 'suppressed') {
    const span = flags.for === undefined ? undefined : parseDuration(flags.for);
    if (!span || span <= 0) throw new UsageError('suppress needs --for DURATION, e.g. --for 24h or --for 7d');
    until = Date.now() + span;
  }
  const sel = await openSelection(flags, io, false);
  try {
    const f = await sel.store.setFindingStatus(id, status, flags.note, { until, portalIds: sel.portalIds });
    reporter.note(`${f.id.slice(0, 10)} ${f.rule} ${f.group}: ${status}${until ? ` until ${new Date(until).toISOString()}` : ''}`);
    return 0;
  } finally {
    await sel.store.close();
  }
}
