/**
 * The findings source over the archive's findings store (`listFindings`, `getFinding`,
 * `setFindingStatus` on the store), when the archive has one. Read through the methods' shape,
 * so the dashboard works with and without the findings tables.
 */
import type { ArchiveStore } from '../../store/index.js';
import type { DashboardFinding, FindingsQuery, FindingsSource, FindingStatus } from './findings.js';

interface StoredFindingShape {
  id: string;
  portalId: number;
  rule: string;
  title: string;
  severity: string;
  group: string;
  firstSeen: number;
  lastSeen: number;
  count: number;
  sessionIds: number[];
  evidence: Record<string, unknown>;
  status: FindingStatus;
  history: Array<{ at: number; status: string; note?: string }>;
  createdAt: number;
  updatedAt: number;
}

interface FindingsStore {
  listFindings(q: { portalIds?: readonly number[]; status?: FindingStatus; limit?: number }): Promise<StoredFindingShape[]>;
  getFinding(id: string, opts?: { portalIds?: readonly number[] }): Promise<StoredFindingShape>;
  setFindingStatus(id: string, status: FindingStatus, note?: string): Promise<unknown>;
}

function hasFindings(store: unknown): store is FindingsStore {
  const s = store as Partial<FindingsStore>;
  return typeof s.listFindings === 'function' && typeof s.getFinding === 'function' && typeof s.setFindingStatus === 'function';
}

function shown(f: StoredFindingShape): DashboardFinding {
  return {
    id: f.id,
    portalId: f.portalId,
    rule: f.rule,
    title: f.title,
    summary: `${f.count} matching event(s)`,
    severity: f.severity,
    status: f.status,
    group: f.group,
    sessionIds: f.sessionIds,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    createdAt: f.createdAt,
    updatedAt: f.updatedAt,
    evidence: f.evidence,
    history: f.history,
  };
}

/** The archive's findings, or undefined when this archive (or build) has no findings store. */
export function archiveFindings(store: ArchiveStore): FindingsSource | undefined {
  if (!hasFindings(store)) return undefined;
  return {
    async list(q: FindingsQuery) {
      const groups = q.groups && new Set(q.groups.map((g) => g.toLowerCase()));
      const rows = await store.listFindings({ portalIds: q.portalIds, status: q.status, limit: groups ? undefined : q.limit });
      const mine = groups ? rows.filter((f) => groups.has(f.group.toLowerCase())) : rows;
      return mine.slice(0, q.limit ?? mine.length).map(shown);
    },
    async get(id) {
      try {
        return shown(await store.getFinding(id));
      } catch {
        return undefined;
      }
    },
    async setStatus(id, status, note) {
      await store.setFindingStatus(id, status, note);
    },
  };
}
