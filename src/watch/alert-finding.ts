/**
 * A stored finding as the alert layer sees it (src/alert's `AlertFinding`), with the response
 * an operator could take, and the grouping policy that fits its status.
 */
import type { GroupingPolicy } from '../alert/grouping.js';
import type { AlertFinding, Json, SuggestedResponse } from '../alert/types.js';
import type { WatchedFinding } from './contract.js';

/**
 * The revision of a finding, for alert ids and "is this update newer than what was sent": it
 * grows when events attach (count) and when its status changes (history), and stays the same
 * when the same finding is written again unchanged, so a re-run never alerts twice.
 */
export function findingRevision(f: Pick<WatchedFinding, 'count' | 'history'>): number {
  return f.count + f.history.length;
}

export function toAlertFinding(f: WatchedFinding, portalUrl: string): AlertFinding {
  return {
    id: f.id,
    rule: f.rule,
    title: f.title,
    severity: f.severity,
    portal: portalUrl,
    groupKey: f.group,
    firstSeen: f.firstSeen,
    lastSeen: f.lastSeen,
    count: f.count,
    eventIds: f.eventIds,
    evidence: f.evidence as Json,
    status: f.status === 'resolved' ? 'resolved' : 'open',
    revision: findingRevision(f),
    suggestedResponse: suggestedResponse(f),
  };
}

/** What to do about it, as commands of this tool (dry-run unless `--yes`). */
export function suggestedResponse(f: Pick<WatchedFinding, 'id' | 'sessionIds' | 'evidence'>): SuggestedResponse {
  const userId = typeof f.evidence.userId === 'string' ? f.evidence.userId : undefined;
  const commands = [`docspace-logins respond --finding ${f.id}`];
  for (const id of f.sessionIds.slice(0, 5)) commands.push(`docspace-logins respond logout-session ${id}`);
  if (userId) commands.push(`docspace-logins respond logout-user ${userId}`);
  return {
    summary: f.sessionIds.length
      ? 'Sessions were opened during this activity: check them and log them out if they are not the account owner\'s (dry run first, then --yes).'
      : 'No session was opened: check the targeted accounts and where the attempts come from; contain an account if it is at risk.',
    commands,
    ...(f.sessionIds.length ? { loginEventIds: f.sessionIds } : {}),
    ...(userId ? { userId } : {}),
  };
}

/**
 * Whether a changed finding is alerted at all, and under which policy: suppressed findings
 * never; findings last seen before `staleBefore` (history: open ones go into the cycle's summary,
 * backlog.ts) are not paged on their own; acknowledged ones only when they escalate or end, never
 * as a reminder.
 */
export function groupingFor(f: WatchedFinding, policy: GroupingPolicy, staleBefore: number): GroupingPolicy | undefined {
  if (f.status === 'suppressed') return undefined;
  if (f.status !== 'resolved' && f.lastSeen < staleBefore) return undefined;
  return f.status === 'acknowledged' ? { ...policy, repeatIntervalMs: Number.POSITIVE_INFINITY } : policy;
}

