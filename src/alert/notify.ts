/** From a finding update to queued deliveries: the grouping decision, then the outbox. */
import { decideNotify, DEFAULT_GROUPING, type GroupingPolicy, type NotifyDecision } from './grouping.js';
import type { Outbox } from './outbox.js';
import { createAlert } from './payload.js';
import type { AlertFinding } from './types.js';

/**
 * Queue a notification of `finding` to `destinations` (sender keys) when the grouping policy
 * says it is news. Returns the decision, so callers can log why nothing was sent.
 */
export async function notifyFinding(
  outbox: Outbox,
  finding: AlertFinding,
  destinations: readonly string[],
  now: number,
  policy: GroupingPolicy = DEFAULT_GROUPING,
): Promise<NotifyDecision> {
  const decision = decideNotify(finding, await outbox.lastNotified(finding.id), now, policy);
  if (decision.notify) await outbox.enqueue(createAlert(finding, decision.reason, now), destinations);
  return decision;
}
