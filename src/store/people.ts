/**
 * The people directory of each portal, as last read from its people API. A read replaces the
 * directory: everyone listed is added or updated, and after a complete read the members it no
 * longer lists are marked removed (kept, since their events remain and still need a name).
 */
import type { Selectable } from 'kysely';
import { type DirectoryPerson, PERSON_ROLES, type PersonStatus } from '../model/person.js';
import type { StoreContext } from './context.js';
import type { PeopleTable } from './schema.js';

export interface ArchivedPerson extends DirectoryPerson {
  portalId: number;
  /** When the read that last listed this member happened (epoch ms). */
  readAt: number;
  /** When a complete read first missed this member (epoch ms); null while listed. */
  removedAt: number | null;
}

export interface PeopleQuery {
  /** User ids, e-mail addresses or user names, in any case. */
  keys: readonly string[];
}

export interface ReplacePeopleResult {
  /** Listed for the first time. */
  added: number;
  /** Listed before, and updated from this read. */
  updated: number;
  /** Newly marked removed: missing from this complete read. */
  removed: number;
}

/** 11 parameters a row: far under both databases' bound-parameter limits. */
const ROWS_PER_STATEMENT = 500;
/** Keys per look-up (each key is bound three times). */
const KEYS_PER_QUERY = 300;

const STATUSES: readonly PersonStatus[] = [1, 2, 4];

function toRow(portalId: number, p: DirectoryPerson, readAt: number): PeopleTable {
  if (typeof p.id !== 'string' || !p.id) throw new RangeError('a person without an id');
  if (!STATUSES.includes(p.status)) throw new RangeError(`person ${p.id}: status ${String(p.status)} is not 1, 2 or 4`);
  if (!PERSON_ROLES.includes(p.role)) throw new RangeError(`person ${p.id}: unknown role ${String(p.role)}`);
  return {
    portal_id: portalId,
    id: p.id.toLowerCase(),
    display_name: p.displayName,
    user_name: p.userName,
    email: p.email,
    status: p.status,
    role: p.role,
    registered_at: p.registeredAt,
    terminated_at: p.terminatedAt,
    read_at: readAt,
    removed_at: null,
  };
}

function fromRow(r: Selectable<PeopleTable>): ArchivedPerson {
  return {
    portalId: Number(r.portal_id),
    id: r.id,
    displayName: r.display_name,
    userName: r.user_name,
    email: r.email,
    status: Number(r.status) as PersonStatus,
    role: r.role,
    registeredAt: Number(r.registered_at),
    terminatedAt: r.terminated_at === null ? null : Number(r.terminated_at),
    readAt: Number(r.read_at),
    removedAt: r.removed_at === null ? null : Number(r.removed_at),
  };
}

/**
 * Record a read of the portal's directory made at `readAt`, in one transaction. A read older
 * than what the archive holds for a member does not overwrite it, and marks no one removed
 * whom a newer read listed.
 */
export async function replacePeople(
  s: StoreContext,
  portalId: number,
  list: readonly DirectoryPerson[],
  readAt: number,
  opts: { complete?: boolean } = {},
): Promise<ReplacePeopleResult> {
  s.writable();
  const rows = new Map<string, PeopleTable>();
  for (const p of list) {
    const row = toRow(portalId, p, readAt);
    rows.set(row.id, row);
  }
  const all = [...rows.values()];
  return s.transaction(async (tx) => {
    let added = 0;
    for (let i = 0; i < all.length; i += ROWS_PER_STATEMENT) {
      const batch = all.slice(i, i + ROWS_PER_STATEMENT);
      const known = await tx.db
        .selectFrom('people')
        .select('id')
        .where('portal_id', '=', portalId)
        .where('id', 'in', batch.map((r) => r.id))
        .execute();
      added += batch.length - known.length;
      await tx.db
        .insertInto('people')
        .values(batch)
        .onConflict((oc) =>
          oc
            .columns(['portal_id', 'id'])
            .doUpdateSet((eb) => ({
              display_name: eb.ref('excluded.display_name'),
              user_name: eb.ref('excluded.user_name'),
              email: eb.ref('excluded.email'),
              status: eb.ref('excluded.status'),
              role: eb.ref('excluded.role'),
              registered_at: eb.ref('excluded.registered_at'),
              terminated_at: eb.ref('excluded.terminated_at'),
              read_at: eb.ref('excluded.read_at'),
              removed_at: null,
            }))
            .where('people.read_at', '<=', readAt),
        )
        .execute();
    }
    let removed = 0;
    if (opts.complete !== false) {
      // Everyone this read listed now has read_at = readAt: the members left behind are the missing.
      const res = await tx.db
        .updateTable('people')
        .set({ removed_at: readAt })
        .where('portal_id', '=', portalId)
        .where('removed_at', 'is', null)
        .where('read_at', '<', readAt)
        .executeTakeFirst();
      removed = Number(res.numUpdatedRows);
    }
    return { added, updated: all.length - added, removed };
  });
}

export async function people(
  s: StoreContext,
  portalId: number,
  opts: { includeRemoved?: boolean } = {},
): Promise<ArchivedPerson[]> {
  let q = s.db.selectFrom('people').selectAll().where('portal_id', '=', portalId);
  if (!opts.includeRemoved) q = q.where('removed_at', 'is', null);
  const rows = await q.orderBy('display_name').orderBy('id').execute();
  return rows.map(fromRow);
}

export async function findPeople(s: StoreContext, portalId: number, query: PeopleQuery): Promise<ArchivedPerson[]> {
  const keys = [...new Set(query.keys.map((k) => k.trim().toLowerCase()).filter(Boolean))];
  const found = new Map<string, ArchivedPerson>();
  for (let i = 0; i < keys.length; i += KEYS_PER_QUERY) {
    const chunk = keys.slice(i, i + KEYS_PER_QUERY);
    const rows = await s.db
      .selectFrom('people')
      .selectAll()
      .where('portal_id', '=', portalId)
      .where((eb) =>
        eb.or([
          eb('id', 'in', chunk),
          eb(eb.fn('lower', ['email']), 'in', chunk),
          eb(eb.fn('lower', ['user_name']), 'in', chunk),
        ]),
      )
      .execute();
    for (const r of rows) found.set(r.id, fromRow(r));
  }
  return [...found.values()].sort((a, b) => (a.displayName < b.displayName ? -1 : a.displayName > b.displayName ? 1 : 0) || (a.id < b.id ? -1 : 1));
}

/** How many members the directory holds and when it was last read: one aggregate, no rows. */
export async function peopleFreshness(s: StoreContext, portalId: number): Promise<{ members: number; readAt: number }> {
  const row = await s.db
    .selectFrom('people')
    .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.max('read_at').as('t')])
    .where('portal_id', '=', portalId)
    .executeTakeFirst();
  return { members: Number(row?.n ?? 0), readAt: Number(row?.t ?? 0) };
}

/** Which of `ids` (lower-case) the directory does not know. */
export async function unknownPeople(s: StoreContext, portalId: number, ids: readonly string[]): Promise<string[]> {
  const known = new Set<string>();
  for (let i = 0; i < ids.length; i += KEYS_PER_QUERY) {
    const rows = await s.db
      .selectFrom('people')
      .select('id')
      .where('portal_id', '=', portalId)
      .where('id', 'in', ids.slice(i, i + KEYS_PER_QUERY))
      .execute();
    for (const r of rows) known.add(r.id);
  }
  return ids.filter((id) => !known.has(id));
}
