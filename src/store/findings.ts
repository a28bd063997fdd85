/**
 * Findings kept in the archive. A finding's id is the engine's deterministic one (rule, group
 * key, window start), so storing the same detection twice changes nothing, and a detection that
 * grew (more events, a later last-seen, a higher severity) updates its row instead of adding
 * one. Status changes (acknowledge, resolve, suppress, reopen) are kept as a history.
 */
import type { Selectable } from 'kysely';
import type { DetectState } from '../detect/engine.js';
import { type Finding, SEVERITIES, type Severity } from '../detect/types.js';
import { UsageError } from '../errors/index.js';
import { isoUtc } from '../model/time.js';
import type { StoreContext } from './context.js';
import type { FindingStatus, FindingsTable } from './findings-schema.js';

export { FINDING_STATUSES, type FindingStatus } from './findings-schema.js';

export interface FindingHistoryEntry {
  at: number;
  status: FindingStatus;
  note?: string;
}

export interface StoredFinding extends Finding {
  portalId: number;
  status: FindingStatus;
  history: FindingHistoryEntry[];
  /** Until when a suppressed finding stays suppressed (epoch ms). */
  suppressedUntil?: number;
  createdAt: number;
  updatedAt: number;
}

export interface FindingsQuery {
  portalIds?: readonly number[];
  /** Only these finding ids. */
  ids?: readonly string[];
  status?: FindingStatus | readonly FindingStatus[];
  /** This severity and above. */
  minSeverity?: Severity;
  rule?: string | readonly string[];
  /** Last seen at or after (epoch ms). */
  since?: number;
  limit?: number;
  /** The instant that decides whether a suppression has run out (default now). */
  now?: number;
}

export interface UpsertResult {
  created: number;
  updated: number;
  /** The findings created or updated, as now stored. */
  changed: StoredFinding[];
}

/** Ids a statement looks up at once: far under both databases' bound-parameter limits. */
const CHUNK = 500;

const rank = (s: string) => SEVERITIES.indexOf(s as Severity);

function toRow(portalId: number, f: Finding, now: number): FindingsTable {
  return {
    portal_id: portalId,
    id: f.id,
    rule: f.rule,
    title: f.title,
    severity: f.severity,
    tags: JSON.stringify(f.tags),
    group_key: f.group,
    first_seen: f.firstSeen,
    last_seen: f.lastSeen,
    count: f.count,
    event_ids: JSON.stringify(f.eventIds),
    session_ids: JSON.stringify(f.sessionIds),
    confidence: f.confidence,
    evidence: JSON.stringify(f.evidence),
    status: 'open',
    suppressed_until: null,
    created_at: now,
    updated_at: now,
  };
}

/** A suppression that has run out reads as open again. */
function effectiveStatus(r: Pick<FindingsTable, 'status' | 'suppressed_until'>, now: number): FindingStatus {
  return r.status === 'suppressed' && r.suppressed_until !== null && Number(r.suppressed_until) <= now ? 'open' : r.status;
}

function fromRow(r: Selectable<FindingsTable>, history: FindingHistoryEntry[], now: number): StoredFinding {
  const status = effectiveStatus(r, now);
  return {
    id: r.id,
    rule: r.rule,
    title: r.title,
    severity: r.severity as Severity,
    tags: JSON.parse(r.tags) as string[],
    group: r.group_key,
    firstSeen: Number(r.first_seen),
    lastSeen: Number(r.last_seen),
    count: Number(r.count),
    eventIds: JSON.parse(r.event_ids) as number[],
    sessionIds: JSON.parse(r.session_ids) as number[],
    confidence: r.confidence as Finding['confidence'],
    evidence: JSON.parse(r.evidence) as Record<string, unknown>,
    portalId: Number(r.portal_id),
    status,
    history,
    ...(status === 'suppressed' && r.suppressed_until !== null ? { suppressedUntil: Number(r.suppressed_until) } : {}),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Whether `next` says more than `stored`: later, larger or more severe. An older or partial view never overwrites. */
function grew(stored: Selectable<FindingsTable>, next: FindingsTable): boolean {
  const last = Number(stored.last_seen);
  if (next.last_seen !== last) return next.last_seen > last;
  return next.count > Number(stored.count) || rank(next.severity) > rank(stored.severity);
}

async function histories(s: StoreContext, portalId: number, ids: readonly string[]): Promise<Map<string, FindingHistoryEntry[]>> {
  const out = new Map<string, FindingHistoryEntry[]>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const rows = await s.db
      .selectFrom('finding_history')
      .select(['finding_id', 'at', 'status', 'note'])
      .where('portal_id', '=', portalId)
      .where('finding_id', 'in', ids.slice(i, i + CHUNK))
      .orderBy('at')
      .orderBy('id')
      .execute();
    for (const r of rows) {
      const list = out.get(r.finding_id) ?? [];
      list.push({ at: Number(r.at), status: r.status, ...(r.note !== null ? { note: r.note } : {}) });
      out.set(r.finding_id, list);
    }
  }
  return out;
}

async function withHistories(s: StoreContext, rows: Selectable<FindingsTable>[], now: number): Promise<StoredFinding[]> {
  const byPortal = new Map<number, string[]>();
  for (const r of rows) {
    const p = Number(r.portal_id);
    byPortal.set(p, [...(byPortal.get(p) ?? []), r.id]);
  }
  const all = new Map<string, FindingHistoryEntry[]>();
  for (const [portalId, ids] of byPortal) {
    for (const [id, h] of await histories(s, portalId, ids)) all.set(`${portalId}\u0000${id}`, h);
  }
  return rows.map((r) => fromRow(r, all.get(`${Number(r.portal_id)}\u0000${r.id}`) ?? [], now));
}

/**
 * Store what a detection run found, in one transaction: new ids are added (status open, with a
 * first history entry); known ids are updated only when the new version grew, keeping their
 * status, except that a resolved finding with new events opens again (and says so in its history).
 */
export async function upsertFindings(
  s: StoreContext,
  portalId: number,
  findings: readonly Finding[],
  now = Date.now(),
): Promise<UpsertResult> {
  s.writable();
  if (!findings.length) return { created: 0, updated: 0, changed: [] };
  const unique = [...new Map(findings.map((f) => [f.id, f])).values()];
  return s.transaction(async (tx) => {
    let created = 0;
    let updated = 0;
    const touched: string[] = [];
    for (let i = 0; i < unique.length; i += CHUNK) {
      const batch = unique.slice(i, i + CHUNK).map((f) => toRow(portalId, f, now));
      const known = new Map(
        (
          await tx.db
            .selectFrom('findings')
            .selectAll()
            .where('portal_id', '=', portalId)
            .where('id', 'in', batch.map((r) => r.id))
            .execute()
        ).map((r) => [r.id, r]),
      );
      const fresh = batch.filter((r) => !known.has(r.id));
      if (fresh.length) {
        await tx.db.insertInto('findings').values(fresh).execute();
        await tx.db
          .insertInto('finding_history')
          .values(fresh.map((r) => ({ portal_id: portalId, finding_id: r.id, at: now, status: 'open' as const, note: 'created' })))
          .execute();
        created += fresh.length;
        touched.push(...fresh.map((r) => r.id));
      }
      for (const next of batch) {
        const old = known.get(next.id);
        if (!old || !grew(old, next)) continue;
        const reopen = old.status === 'resolved' || (old.status === 'suppressed' && effectiveStatus(old, now) === 'open');
        await tx.db
          .updateTable('findings')
          .set({
            title: next.title,
            severity: rank(next.severity) >= rank(old.severity) ? next.severity : old.severity,
            tags: next.tags,
            last_seen: next.last_seen,
            count: next.count,
            event_ids: next.event_ids,
            session_ids: next.session_ids,
            confidence: next.confidence,
            evidence: next.evidence,
            updated_at: now,
            ...(reopen ? { status: 'open' as const, suppressed_until: null } : {}),
          })
          .where('portal_id', '=', portalId)
          .where('id', '=', next.id)
          .execute();
        if (reopen) {
          await tx.db
            .insertInto('finding_history')
            .values({ portal_id: portalId, finding_id: next.id, at: now, status: 'open', note: `new events after it was ${old.status}` })
            .execute();
        }
        updated++;
        touched.push(next.id);
      }
    }
    const changed = await listFindings(tx, { portalIds: [portalId], ids: touched, now });
    return { created, updated, changed };
  });
}

/** Findings matching `q`, most recently seen first, each with its history. */
export async function listFindings(s: StoreContext, q: FindingsQuery = {}): Promise<StoredFinding[]> {
  const now = q.now ?? Date.now();
  if (q.portalIds?.length === 0 || q.ids?.length === 0) return [];
  if (q.ids && q.ids.length > CHUNK) {
    const parts: StoredFinding[] = [];
    for (let i = 0; i < q.ids.length; i += CHUNK) parts.push(...(await listFindings(s, { ...q, ids: q.ids.slice(i, i + CHUNK), limit: undefined })));
    parts.sort((a, b) => b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : 1));
    return q.limit === undefined ? parts : parts.slice(0, q.limit);
  }
  let sel = s.db.selectFrom('findings').selectAll();
  if (q.portalIds) sel = sel.where('portal_id', 'in', [...q.portalIds]);
  if (q.ids) sel = sel.where('id', 'in', [...q.ids]);
  if (q.since !== undefined) sel = sel.where('last_seen', '>=', q.since);
  if (q.minSeverity) sel = sel.where('severity', 'in', SEVERITIES.slice(rank(q.minSeverity)));
  const rules = q.rule === undefined ? [] : typeof q.rule === 'string' ? [q.rule] : [...q.rule];
  if (rules.length) sel = sel.where('rule', 'in', rules.map((r) => r.toUpperCase()));
  const statuses = q.status === undefined ? [] : typeof q.status === 'string' ? [q.status] : [...q.status];
  if (statuses.length) {
    // A suppression that ran out counts as open: decided at `now`, the same way `fromRow` decides it.
    sel = sel.where((eb) =>
      eb.or(
        statuses.map((st) =>
          st === 'open'
            ? eb.or([eb('status', '=', 'open'), eb.and([eb('status', '=', 'suppressed'), eb('suppressed_until', '<=', now)])])
            : st === 'suppressed'
              ? eb.and([eb('status', '=', 'suppressed'), eb.or([eb('suppressed_until', 'is', null), eb('suppressed_until', '>', now)])])
              : eb('status', '=', st),
        ),
      ),
    );
  }
  sel = sel.orderBy('last_seen', 'desc').orderBy('id');
  if (q.limit !== undefined) sel = sel.limit(q.limit);
  return withHistories(s, await sel.execute(), now);
}

/**
 * One finding by its id or a unique prefix of it (like git), among `portalIds` when given.
 * No match, or a prefix that fits several, is a usage error that says so.
 */
export async function getFinding(s: StoreContext, idOrPrefix: string, opts: { portalIds?: readonly number[]; now?: number } = {}): Promise<StoredFinding> {
  const prefix = idOrPrefix.trim().toLowerCase();
  if (!/^[0-9a-f]{4,}$/.test(prefix)) {
    throw new UsageError(`"${idOrPrefix}" is not a finding id: give at least 4 of its hex digits (see docspace-logins findings list)`);
  }
  let sel = s.db.selectFrom('findings').selectAll();
  // Ids are lower-case hex, so a range is a prefix match that needs no LIKE escaping.
  sel = prefix.length >= 20 ? sel.where('id', '=', prefix) : sel.where('id', '>=', prefix).where('id', '<', `${prefix}g`);
  if (opts.portalIds) sel = sel.where('portal_id', 'in', [...opts.portalIds]);
  const rows = await sel.limit(6).execute();
  if (!rows.length) throw new UsageError(`No finding ${idOrPrefix}: see docspace-logins findings list`);
  if (rows.length > 1) {
    const ids = rows.slice(0, 5).map((r) => r.id.slice(0, prefix.length + 4));
    throw new UsageError(`The id ${idOrPrefix} fits more than one finding (${ids.join(', ')}${rows.length > 5 ? ', …' : ''}): give more of it`);
  }
  return (await withHistories(s, rows, opts.now ?? Date.now()))[0];
}

export interface StatusChange {
  note?: string;
  /** For `suppressed`: until when (epoch ms). */
  until?: number;
  portalIds?: readonly number[];
  now?: number;
}

/** Change a finding's status (by id or unique prefix) and add the change to its history. */
export async function setFindingStatus(
  s: StoreContext,
  idOrPrefix: string,
  status: FindingStatus,
  change: StatusChange = {},
): Promise<StoredFinding> {
  s.writable();
  const now = change.now ?? Date.now();
  if (status === 'suppressed' && (change.until === undefined || change.until <= now)) {
    throw new UsageError('A suppression needs an end in the future (e.g. --for 24h)');
  }
  return s.transaction(async (tx) => {
    const f = await getFinding(tx, idOrPrefix, { portalIds: change.portalIds, now });
    await tx.db
      .updateTable('findings')
      .set({ status, suppressed_until: status === 'suppressed' ? change.until! : null, updated_at: now })
      .where('portal_id', '=', f.portalId)
      .where('id', '=', f.id)
      .execute();
    const note = change.note ?? (status === 'suppressed' ? `until ${isoUtc(change.until!)}` : null);
    await tx.db.insertInto('finding_history').values({ portal_id: f.portalId, finding_id: f.id, at: now, status, note }).execute();
    return getFinding(tx, f.id, { portalIds: [f.portalId], now });
  });
}

// --- the engine's state and the login key ---------------------------------------------------------

export interface StoredDetectState {
  state: DetectState;
  updatedAt: number;
}

/**
 * Where a stored engine state stopped (its last event), without reading the state itself: what a
 * watch cycle needs to tell that nothing is new. Undefined when there is no state or it saw nothing.
 */
export async function detectCursor(s: StoreContext, portalId: number, fingerprint: string): Promise<{ lastTs: number; lastId: number } | undefined> {
  const row = await s.db
    .selectFrom('detect_state')
    .select(['last_time', 'last_id'])
    .where('portal_id', '=', portalId)
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();
  // A state that saw nothing is stored with last_time 0 (see saveDetectState).
  return row && Number(row.last_time) !== 0 ? { lastTs: Number(row.last_time), lastId: Number(row.last_id) } : undefined;
}

export async function loadDetectState(s: StoreContext, portalId: number, fingerprint: string): Promise<StoredDetectState | undefined> {
  const row = await s.db
    .selectFrom('detect_state')
    .select(['state', 'updated_at'])
    .where('portal_id', '=', portalId)
    .where('fingerprint', '=', fingerprint)
    .executeTakeFirst();
  return row ? { state: JSON.parse(row.state) as DetectState, updatedAt: Number(row.updated_at) } : undefined;
}

export async function saveDetectState(s: StoreContext, portalId: number, fingerprint: string, state: DetectState, now = Date.now()): Promise<void> {
  const row = {
    portal_id: portalId,
    fingerprint,
    state: JSON.stringify(state),
    // -Infinity (nothing seen yet) is not a number JSON or a bigint column can hold.
    last_time: Number.isFinite(state.lastTs) ? state.lastTs : 0,
    last_id: state.lastId,
    updated_at: now,
  };
  await s.writing((db) =>
    db
      .insertInto('detect_state')
      .values(row)
      .onConflict((oc) =>
        oc.columns(['portal_id', 'fingerprint']).doUpdateSet({ state: row.state, last_time: row.last_time, last_id: row.last_id, updated_at: now }),
      )
      .execute(),
  );
}

/**
 * The portal's key for hashing typed logins that look like passwords: made once at random and
 * kept, so a finding's group key (and so its id) is the same on every run. A read-only archive
 * without one yet gives undefined (the hash is then unkeyed).
 */
export async function detectSecret(s: StoreContext, portalId: number): Promise<string | undefined> {
  const read = async () =>
    (await s.db.selectFrom('detect_keys').select('secret').where('portal_id', '=', portalId).executeTakeFirst())?.secret;
  const found = await read();
  if (found !== undefined || s.backend.readOnly) return found;
  // Loaded here, once per archive: every command that opens the store loads this module, and
  // node:crypto costs a dozen internal modules at start-up.
  const { randomBytes } = await import('node:crypto');
  await s.writing((db) =>
    db
      .insertInto('detect_keys')
      .values({ portal_id: portalId, secret: randomBytes(32).toString('base64url'), created_at: Date.now() })
      // Two first runs at once: the first key written wins, and both read it.
      .onConflict((oc) => oc.column('portal_id').doNothing())
      .execute(),
  );
  return read();
}
