/**
 * Findings in every output format: table columns, the stable JSON form, and ECS alerts for SIEMs
 * (`event.kind: alert`, `rule.*`, MITRE ATT&CK `threat.*` from the rule's tags, the address or
 * account the finding is about). Typed logins that looked like passwords are already keyed
 * hashes in a finding (`hmac:…`), so nothing here can show one in clear.
 */
import { isIP } from 'node:net';
import type { Severity } from '../detect/types.js';
import { isGuid } from '../model/ids.js';
import { isoUtc } from '../model/time.js';
import type { StoredFinding } from '../store/findings.js';
import type { Tone } from './color.js';
import { ECS_VERSION } from './ecs.js';
import { timeAgo } from './relative.js';
import type { Column } from './writer.js';

/** A finding as a command prints it: with its portal's URL when the read covered several. */
export type ShownFinding = StoredFinding & {
  portal?: string;
  /** The member a user-id group names (display name), for tables on a terminal. */
  who?: string;
};

const SEVERITY_TONE: Record<Severity, Tone | undefined> = { low: 'dim', medium: undefined, high: 'failure', critical: 'alert' };
/** Elastic's risk scores for the four severities, which SIEMs sort and colour by. */
const RISK: Record<Severity, number> = { low: 21, medium: 47, high: 73, critical: 99 };

export const findingColumns: ReadonlyArray<Column<ShownFinding>> = [
  // On a terminal ten hex digits, like a short git hash (any unique prefix works with `findings show`).
  { key: 'id', header: 'ID', value: (f) => f.id, relative: (f) => f.id.slice(0, 10), width: 20, minWidth: 10, keep: true },
  { key: 'severity', header: 'Severity', value: (f) => f.severity, width: 8, keep: true, tone: (f) => SEVERITY_TONE[f.severity] },
  { key: 'rule', header: 'Rule', value: (f) => f.rule, width: 7, keep: true },
  { key: 'title', header: 'Title', value: (f) => f.title, width: 40 },
  // On a terminal a member's name instead of their id; files and pipes keep the id to join on.
  { key: 'group', header: 'Group', value: (f) => f.group, relative: (f) => f.who ?? f.group, width: 36, minWidth: 15, keep: true },
  { key: 'count', header: 'Events', value: (f) => f.count, kind: 'number', width: 6 },
  { key: 'firstSeen', header: 'First seen', value: (f) => isoUtc(f.firstSeen), cell: (f) => new Date(f.firstSeen), kind: 'date', width: 24, wideOnly: true },
  {
    key: 'lastSeen',
    header: 'Last seen',
    value: (f) => isoUtc(f.lastSeen),
    cell: (f) => new Date(f.lastSeen),
    relative: (f, now) => timeAgo(f.lastSeen, now),
    kind: 'date',
    width: 24,
    keep: true,
  },
  { key: 'status', header: 'Status', value: (f) => f.status, width: 12, keep: true },
  { key: 'confidence', header: 'Confidence', value: (f) => f.confidence, width: 10, wideOnly: true },
];

export const portalFindingColumns: ReadonlyArray<Column<ShownFinding>> = [
  { key: 'portal', header: 'Portal', value: (f) => f.portal, width: 32 },
  ...findingColumns,
];

/** The JSON form of a finding (`--format json|ndjson`): stable names, ISO times. */
export function findingJson(f: ShownFinding): Record<string, unknown> {
  return {
    id: f.id,
    ...(f.portal ? { portal: f.portal } : {}),
    rule: f.rule,
    title: f.title,
    severity: f.severity,
    status: f.status,
    group: f.group,
    firstSeen: isoUtc(f.firstSeen),
    lastSeen: isoUtc(f.lastSeen),
    count: f.count,
    confidence: f.confidence,
    tags: f.tags,
    eventIds: f.eventIds,
    sessionIds: f.sessionIds,
    evidence: f.evidence,
    history: f.history.map((h) => ({ at: new Date(h.at).toISOString(), status: h.status, ...(h.note ? { note: h.note } : {}) })),
    ...(f.suppressedUntil ? { suppressedUntil: new Date(f.suppressedUntil).toISOString() } : {}),
    createdAt: new Date(f.createdAt).toISOString(),
    updatedAt: new Date(f.updatedAt).toISOString(),
  };
}

export const FINDING_FIELDS: readonly string[] = Object.keys(findingJson({
  id: '', portal: 'x', rule: '', title: '', severity: 'low', status: 'open', group: '', firstSeen: 0, lastSeen: 0, count: 0,
  confidence: 'high', tags: [], eventIds: [], sessionIds: [], evidence: {}, history: [], suppressedUntil: 1, createdAt: 0, updatedAt: 0, portalId: 0,
}));

/** `attack.t1110.003` → T1110 / T1110.003; `attack.credential_access` → a tactic. */
function threat(tags: readonly string[]): Record<string, unknown> | undefined {
  const techniques = new Map<string, Set<string>>();
  const tactics: string[] = [];
  for (const tag of tags) {
    const t = /^attack\.(t\d{4})(?:\.(\d{3}))?$/i.exec(tag);
    if (t) {
      const id = t[1].toUpperCase();
      const subs = techniques.get(id) ?? new Set<string>();
      if (t[2]) subs.add(`${id}.${t[2]}`);
      techniques.set(id, subs);
    } else if (/^attack\.[a-z_]+$/.test(tag)) tactics.push(tag.slice('attack.'.length));
  }
  if (!techniques.size && !tactics.length) return undefined;
  return {
    framework: 'MITRE ATT&CK',
    ...(techniques.size
      ? {
          technique: [...techniques].map(([id, subs]) => ({
            id,
            reference: `https://attack.mitre.org/techniques/${id}/`,
            ...(subs.size ? { subtechnique: [...subs].map((s) => ({ id: s, reference: `https://attack.mitre.org/techniques/${s.replace('.', '/')}/` })) } : {}),
          })),
        }
      : {}),
    ...(tactics.length ? { tactic: { name: tactics } } : {}),
  };
}

/** Keys of an evidence map (`{ "198.51.100.7": 12 }`), when the rule reported one. */
function keysOf(value: unknown): string[] {
  return value && typeof value === 'object' && !Array.isArray(value) ? Object.keys(value) : [];
}

/** A finding as an ECS alert document. */
export function findingToEcs(f: ShownFinding, opts: { portal?: string } = {}): Record<string, unknown> {
  const ips = new Set(keysOf(f.evidence.ips).filter((ip) => isIP(ip)));
  const users = new Set(keysOf(f.evidence.targets).filter(Boolean));
  const byIp = isIP(f.group) !== 0;
  const byAccount = !byIp && f.group !== '*' && f.group !== '';
  if (byIp) ips.add(f.group);
  if (byAccount) users.add(f.group);
  const portal = f.portal ?? opts.portal;
  let host: string | undefined;
  try {
    host = portal ? new URL(portal).host : undefined;
  } catch {
    host = undefined;
  }
  const doc: Record<string, unknown> = {
    '@timestamp': isoUtc(f.lastSeen),
    ecs: { version: ECS_VERSION },
    message: `${f.title}: ${f.group} (${f.count} event${f.count === 1 ? '' : 's'})`,
    event: {
      kind: 'alert',
      id: f.id,
      category: ['authentication', 'intrusion_detection'],
      type: ['info'],
      severity: RISK[f.severity],
      risk_score: RISK[f.severity],
      start: isoUtc(f.firstSeen),
      end: isoUtc(f.lastSeen),
      created: new Date(f.createdAt).toISOString(),
      provider: 'docspace-logins',
      module: 'docspace',
      dataset: 'docspace.finding',
    },
    rule: { id: f.rule, name: f.title, ruleset: 'docspace-logins' },
    ...(threat(f.tags) ? { threat: threat(f.tags) } : {}),
    ...(byIp ? { source: { ip: f.group } } : {}),
    // An account's finding: the member's id and name, or the typed login (or its hash) when it names no member.
    ...(byAccount ? { user: isGuid(f.group) ? { id: f.group, ...(f.who ? { name: f.who } : {}) } : { name: f.group } } : {}),
    related: { ...(ips.size ? { ip: [...ips] } : {}), ...(users.size ? { user: [...users] } : {}) },
    tags: f.tags,
    docspace_logins: {
      severity: f.severity,
      status: f.status,
      group: f.group,
      count: f.count,
      confidence: f.confidence,
      event_ids: f.eventIds,
      session_ids: f.sessionIds,
      evidence: f.evidence,
    },
    observer: { vendor: 'ONLYOFFICE', product: 'DocSpace', type: 'application', ...(host ? { hostname: host } : {}) },
  };
  if (!Object.keys(doc.related as object).length) delete doc.related;
  return doc;
}
