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
  /** The user it is about, when it is about one. */
  userId?: string | null;
  ip?: string | null;
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
  userId?: string;
  ip?: string;
  limit?: number;
}

export interface FindingsSource {
  list(q: FindingsQuery): Promise<DashboardFinding[]>;
  get(id: string): Promise<DashboardFinding | undefined>;
  setStatus(id: string, status: FindingStatus, note?: string): Promise<void>;
}

export const FINDING_STATUSES: readonly FindingStatus[] = ['open', 'acknowledged', 'resolved', 'suppressed'];
