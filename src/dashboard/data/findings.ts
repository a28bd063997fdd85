/**
 * The findings the dashboard shows and works, as an interface: the archive's findings store
 * provides it once detection keeps findings there; without one, the pages say so.
 */

export type FindingStatus = 'open' | 'acknowledged' | 'resolved' | 'suppressed';

/** What the pages read of a stored finding. */
export interface DashboardFinding {
  id: string;
  portalId: number;
  rule: string;
  severity: string;
  title?: string;
  summary?: string;
  status: FindingStatus;
  /** What the rule counted over: a user id, an address, a typed login; `*` for the whole portal. */
  group: string;
  /** Successful-login event ids among the evidence: sessions that can be logged out. */
  sessionIds?: readonly number[];
  firstSeen?: number;
  lastSeen?: number;
  createdAt: number;
  updatedAt: number;
  evidence?: unknown;
  history?: ReadonlyArray<{ at: number; status: string; note?: string }>;
}

export interface FindingsQuery {
  portalIds?: readonly number[];
  status?: FindingStatus;
  /** Only findings about one of these groups (a user id, an address, a typed login), case-insensitive. */
  groups?: readonly string[];
  limit?: number;
}

export interface FindingsSource {
  list(q: FindingsQuery): Promise<DashboardFinding[]>;
  get(id: string): Promise<DashboardFinding | undefined>;
  setStatus(id: string, status: FindingStatus, note?: string): Promise<void>;
}

export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'acknowledged', 'resolved', 'suppressed'];
