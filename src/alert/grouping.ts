/**
 * Whether an update of a finding is worth a notification. A flood of one finding stays one alert
 * updated in place (count, last seen, revision); people hear about it again only when it gets
 * worse, when it has gone on for the repeat interval (Alertmanager's 4 h default), or when it ends.
 */
import { type AlertFinding, type FindingStatus, type NotifyReason, type Severity, severityRank } from './types.js';

/** What was last sent for a finding (the outbox keeps it: `Outbox.lastNotified`). */
export interface NotifiedState {
  revision: number;
  severity: Severity;
  status: FindingStatus;
  /** Epoch ms of that notification. */
  notifiedAt: number;
}

export interface GroupingPolicy {
  repeatIntervalMs: number;
  /** Tell the destinations when a finding they were told about is resolved. */
  notifyResolved: boolean;
}

export const DEFAULT_GROUPING: GroupingPolicy = Object.freeze({ repeatIntervalMs: 4 * 60 * 60 * 1000, notifyResolved: true });

export type NotifyDecision =
  | { notify: true; reason: NotifyReason }
  | { notify: false; why: 'already-notified' | 'within-repeat-interval' | 'resolved-unseen' | 'resolved-again' | 'resolved-silent' };

/** The decision, in this order: stale → resolved → reopened → escalated → repeat → quiet. */
export function decideNotify(
  finding: Pick<AlertFinding, 'severity' | 'status' | 'revision'>,
  last: NotifiedState | undefined,
  now: number,
  policy: GroupingPolicy = DEFAULT_GROUPING,
): NotifyDecision {
  if (!last) return finding.status === 'resolved' ? { notify: false, why: 'resolved-unseen' } : { notify: true, reason: 'new' };
  // An update older than (or equal to) what was sent: a replayed or reordered engine run.
  if (finding.revision <= last.revision) return { notify: false, why: 'already-notified' };
  if (finding.status === 'resolved') {
    if (last.status === 'resolved') return { notify: false, why: 'resolved-again' };
    return policy.notifyResolved ? { notify: true, reason: 'resolved' } : { notify: false, why: 'resolved-silent' };
  }
  if (last.status === 'resolved') return { notify: true, reason: 'new' };
  if (severityRank(finding.severity) > severityRank(last.severity)) return { notify: true, reason: 'escalated' };
  if (now - last.notifiedAt >= policy.repeatIntervalMs) return { notify: true, reason: 'repeat' };
  return { notify: false, why: 'within-repeat-interval' };
}
