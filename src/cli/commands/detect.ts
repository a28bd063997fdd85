/**
 * `docspace-logins detect`: the detection rules over the archive (default) or the portal's live
 * history, the findings printed and, whenever an archive is in use, stored in it. A thin shell
 * over `detectArchive` (src/detect/run.ts) and the engine.
 *
 * `--live` reads the portal's history and its people directory. With an archive named (`--db` or
 * DOCSPACE_LOGINS_DB) the findings are stored there, under the archive's login key, so a live run
 * and an archive run over the same events give the same findings, ids included; without one they
 * are printed only, and password-like typed logins are hashed with a key of that run only.
 */
import type { RuleSpec } from '../../detect/rule-schema.js';
import type { LoginEvent } from '../../model/event.js';
import { SEVERITIES, type Severity } from '../../detect/types.js';
import { IncompleteError, UsageError } from '../../errors/index.js';
import type { ShownFinding } from '../../output/findings.js';
import type { ArchiveStore, StoredFinding } from '../../store/index.js';
import { type ArchiveFlags, type ArchiveOptions, DEMO_PORTAL_KEY, parseArchiveFlags } from '../archive.js';
import { type ConnectionFlags, type ConnectionOptions, parseConnectionFlags } from '../context.js';
import { EXIT } from '../exit.js';
import { parseHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import type { OutputFlags } from '../output.js';

/** The period `detect` reads without --since: the 30 days up to --until (or now). */
const DEFAULT_DETECT_SPAN = 30 * 86_400_000;

export interface DetectFlags extends ConnectionFlags, ArchiveFlags, OutputFlags {
  since?: string;
  until?: string;
  /** `--rule ID` (repeatable, or comma-separated). */
  rule?: string[];
  /** A rule file or folder of the user's own, besides the built-in rules. */
  rules?: string;
  live?: boolean;
  failOn?: string;
  debug?: boolean;
  quiet?: boolean;
}

export interface SelectedRules {
  rules: RuleSpec[];
  /** The rules asked for by `--rule` (undefined: all); the others run only to feed them. */
  only?: string[];
}

/** Built-in rules plus `--rules DIR`; with `--rule`, those and the rules they consume. */
export async function selectRules(dir: string | undefined, wanted: readonly string[] | undefined): Promise<SelectedRules> {
  const { BUILTIN_RULES_DIR, loadRules } = await import('../../detect/index.js');
  // A missing or invalid rule file is a usage error (RuleLoadError): exit 2.
  const all = [...loadRules(BUILTIN_RULES_DIR), ...(dir ? loadRules(dir) : [])].map((r) => r.spec);
  const ids = (wanted ?? []).flatMap((w) => w.split(',')).map((w) => w.trim().toUpperCase()).filter(Boolean);
  if (!ids.length) return { rules: all };
  const byId = new Map(all.map((r) => [r.id.toUpperCase(), r]));
  const unknown = ids.filter((id) => !byId.has(id));
  if (unknown.length) throw new UsageError(`No rule ${unknown.join(', ')}: see docspace-logins rules list`);
  const chosen = new Map<string, RuleSpec>();
  const add = (r: RuleSpec) => {
    if (chosen.has(r.id)) return;
    chosen.set(r.id, r);
    const after = r.correlation?.type === 'temporal_ordered' ? r.correlation.after : [];
    for (const dep of after) {
      const d = byId.get(dep.toUpperCase());
      if (d) add(d);
    }
  };
  for (const id of ids) add(byId.get(id)!);
  return { rules: [...chosen.values()], only: ids.map((id) => byId.get(id)!.id) };
}

export function parseFailOn(value: string | undefined): Severity | undefined {
  if (value === undefined) return undefined;
  const s = value.trim().toLowerCase();
  if (!(SEVERITIES as readonly string[]).includes(s)) throw new UsageError(`--fail-on "${value}" is not one of: ${SEVERITIES.join(', ')}`);
  return s as Severity;
}

/**
 * The exit code a run's findings give: `findings` when one at or above `failOn` is open (an
 * acknowledged, resolved or suppressed finding has been seen to by someone), else `ok`.
 */
export function failOnCode(findings: readonly ShownFinding[], failOn: Severity | undefined): number {
  if (!failOn) return EXIT.ok;
  const floor = SEVERITIES.indexOf(failOn);
  return findings.some((f) => f.status === 'open' && SEVERITIES.indexOf(f.severity) >= floor) ? EXIT.findings : EXIT.ok;
}

export async function detectCommand(flags: DetectFlags, io: CliIo, reporter: Reporter): Promise<number> {
  // Fail on a bad --format before any work is done.
  const { parseOutputFlags } = await import('../output.js');
  const { FORMATS_OF } = await import('../formats.js');
  const output = parseOutputFlags(flags, io, FORMATS_OF.findings);
  const now = Date.now();
  const parsed = parseHistoryFlags({ since: flags.since, until: flags.until }, now, DEFAULT_DETECT_SPAN);
  const failOn = parseFailOn(flags.failOn);
  if (flags.live && flags.all) throw new UsageError('--live reads one portal: leave out --all');
  // The portal and an archive to store in (--live), or the archive and its portals.
  const from = flags.live
    ? { connection: parseConnectionFlags(flags), db: flags.db }
    : { archive: parseArchiveFlags(flags) };
  const selected = await selectRules(flags.rules, flags.rule);
  const range = { since: parsed.filter.since, until: parsed.filter.until };
  const job: DetectJob = { io, reporter, selected, range, now };
  const findings = from.connection ? await liveFindings(from.connection, from.db, job) : await archiveFindings(from.archive!, job);
  const { printFindings } = await import('./findings.js');
  await printFindings(findings, output, io, reporter, new Set(findings.map((f) => f.portal)).size > 1);
  return failOnCode(findings, failOn);
}

/** What both ways of running `detect` share: the shell, the rules, the period and the clock. */
interface DetectJob {
  io: CliIo;
  reporter: Reporter;
  selected: SelectedRules;
  range: { since?: number; until?: number };
  now: number;
}

async function archiveFindings(archive: ArchiveOptions, { io, reporter, selected, range, now }: DetectJob): Promise<ShownFinding[]> {
  const [{ openArchive, selectedPortals }, { detectArchive }] = await Promise.all([import('../archive.js'), import('../../detect/run.js')]);
  const store = await openArchive(archive, io.env, { reporter });
  try {
    const ids = (await selectedPortals(store, archive, io.env)) ?? (await store.portals()).map((p) => p.id);
    if (!ids.length) throw new UsageError(`The archive ${store.location} holds no portal yet: run docspace-logins sync first`);
    const out: ShownFinding[] = [];
    for (const portalId of ids) {
      const portal = (await store.portal(portalId))!;
      const r = await detectArchive(store, { portalId, rules: selected.rules, only: selected.only, ...range, now });
      if (!r.people) warnNoPeople(reporter, portal.url);
      reporter.note(`${portal.url}: ${counted(r.events, 'event')}, ${counted(r.findings.length, 'finding')} (${r.created} new, ${r.updated} updated)`);
      for (const f of r.findings) out.push({ ...f, portal: portal.url });
    }
    const { nameGroups } = await import('./findings.js');
    await nameGroups(store, out);
    return out;
  } finally {
    await store.close();
  }
}

const counted = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function warnNoPeople(reporter: Reporter, url: string): void {
  reporter.warn(`no people directory for ${url}: failed logins cannot be matched to members (run docspace-logins sync)`);
}

async function liveFindings(
  connection: ConnectionOptions,
  /** `--db`: the archive the findings are stored in. */
  db: string | undefined,
  { io, reporter, selected, range, now }: DetectJob,
): Promise<ShownFinding[]> {
  const [{ connect }, { startRead }, { readDirectory }, run, { Detector }] = await Promise.all([
    import('../context.js'),
    import('../read.js'),
    import('../../sync/people.js'),
    import('../../detect/run.js'),
    import('../../detect/engine.js'),
  ]);
  const conn = await connect(connection, reporter, io.env);
  let store: ArchiveStore | undefined;
  try {
    const portalUrl = connection.demo ? DEMO_PORTAL_KEY : conn.client.portal;
    let portalId = 0;
    let secret: string | undefined;
    if (db ?? io.env.DOCSPACE_LOGINS_DB) {
      const { openStore } = await import('../../store/index.js');
      store = await openStore(db, { env: io.env });
      portalId = await store.ensurePortal({ url: portalUrl });
      secret = await store.detectSecret(portalId);
    } else {
      // An unkeyed hash of a password typed as a login can be reversed with a list of common passwords.
      secret = (await import('../login-mask.js')).runKey();
      reporter.note('No archive (--db): findings are printed, not stored; password-like logins are hashed with a key of this run only');
    }
    const people = (await readDirectory(conn.client)).map(run.detectMember);
    if (!people.length) warnNoPeople(reporter, portalUrl);
    // The portal serves its history newest first and the rules read it oldest first: the period
    // is held in memory (a portal keeps at most 180 days), then run in order.
    const read = startRead(conn.client, range, reporter);
    const events: LoginEvent[] = [];
    for await (const { event } of read.events) events.push(event);
    const code = read.finish().exitCode;
    if (code !== EXIT.ok) throw new IncompleteError('The live history could not be read whole: detection does not run over part of it');
    events.sort((a, b) => a.time - b.time || a.id - b.id);
    const result = await run.runChunks(new Detector(selected.rules, { people, secret }), events);
    const found = selected.only ? result.findings.filter((f) => selected.only!.includes(f.rule)) : result.findings;
    const names = new Map(people.map((p) => [p.id, p.displayName ?? undefined]));
    const shown = (f: StoredFinding): ShownFinding => ({ ...f, portal: portalUrl, who: names.get(f.group) });
    if (!store) return found.map((f) => shown(run.unstored(portalId, f, now)));
    const r = await store.upsertFindings(portalId, found, now);
    reporter.note(`${portalUrl}: ${counted(result.events, 'event')}, ${counted(found.length, 'finding')} (${r.created} new, ${r.updated} updated)`);
    const stored = new Map((await store.listFindings({ portalIds: [portalId], ids: found.map((f) => f.id), now })).map((f) => [f.id, f]));
    return found.map((f) => shown(stored.get(f.id) ?? run.unstored(portalId, f, now)));
  } finally {
    await store?.close();
    await conn.close();
  }
}
