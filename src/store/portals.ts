/** The portals an archive holds: added on first sight, with what the sync last read about each. */
import type { Selectable, Updateable } from 'kysely';
import { normalisePortalUrl } from '../client/config.js';
import type { StoreContext } from './context.js';
import type { ArchiveSchema } from './schema.js';

export interface PortalInfo {
  id: number;
  url: string;
  name: string | null;
  /** Minutes east of UTC. */
  timezoneOffset: number | null;
  retentionDays: number | null;
  /** When the retention was last read from the portal (epoch ms). */
  retentionCheckedAt: number | null;
  audit: boolean | null;
  createdAt: number;
  updatedAt: number;
}

export interface PortalPatch {
  name?: string | null;
  timezoneOffset?: number | null;
  retentionDays?: number | null;
  retentionCheckedAt?: number | null;
  audit?: boolean | null;
}

function portalInfo(r: Selectable<ArchiveSchema['portals']>): PortalInfo {
  return {
    id: Number(r.id),
    url: r.url,
    name: r.name,
    timezoneOffset: r.timezone_offset === null ? null : Number(r.timezone_offset),
    retentionDays: r.retention_days === null ? null : Number(r.retention_days),
    retentionCheckedAt: r.retention_checked_at === null ? null : Number(r.retention_checked_at),
    audit: r.audit === null ? null : Number(r.audit) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export async function ensurePortal(s: StoreContext, p: { url: string; name?: string | null }): Promise<number> {
  const url = normalisePortalUrl(p.url);
  const found = await s.db.selectFrom('portals').select(['id', 'name']).where('url', '=', url).executeTakeFirst();
  if (found) {
    if (p.name !== undefined && p.name !== found.name) await updatePortal(s, Number(found.id), { name: p.name });
    return Number(found.id);
  }
  const now = Date.now();
  await s.writing((db) =>
    db
      .insertInto('portals')
      .values({
        url,
        name: p.name ?? null,
        timezone_offset: null,
        retention_days: null,
        retention_checked_at: null,
        audit: null,
        created_at: now,
        updated_at: now,
      })
      // Another process may add the same portal between the look-up and the insert.
      .onConflict((oc) => oc.column('url').doNothing())
      .execute(),
  );
  const row = await s.db.selectFrom('portals').select('id').where('url', '=', url).executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function updatePortal(s: StoreContext, portalId: number, patch: PortalPatch): Promise<void> {
  s.writable();
  const set: Updateable<ArchiveSchema['portals']> = { updated_at: Date.now() };
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.timezoneOffset !== undefined) set.timezone_offset = patch.timezoneOffset;
  if (patch.retentionDays !== undefined) set.retention_days = patch.retentionDays;
  if (patch.retentionCheckedAt !== undefined) set.retention_checked_at = patch.retentionCheckedAt;
  if (patch.audit !== undefined) set.audit = patch.audit === null ? null : patch.audit ? 1 : 0;
  await s.writing((db) => db.updateTable('portals').set(set).where('id', '=', portalId).execute());
}

export async function portals(s: StoreContext): Promise<PortalInfo[]> {
  const rows = await s.db.selectFrom('portals').selectAll().orderBy('id').execute();
  return rows.map(portalInfo);
}

export async function portal(s: StoreContext, idOrUrl: number | string): Promise<PortalInfo | undefined> {
  let q = s.db.selectFrom('portals').selectAll();
  q = typeof idOrUrl === 'number' ? q.where('id', '=', idOrUrl) : q.where('url', '=', normalisePortalUrl(idOrUrl));
  const row = await q.executeTakeFirst();
  return row ? portalInfo(row) : undefined;
}

/** Every portal's id, in order. */
export async function portalIds(s: StoreContext): Promise<number[]> {
  const rows = await s.db.selectFrom('portals').select('id').orderBy('id').execute();
  return rows.map((r) => Number(r.id));
}
