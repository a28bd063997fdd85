/**
 * The shapes alerts are made of. `AlertFinding` is what the detection engine hands over (the
 * integrator maps its findings onto it); everything else in src/alert is built from it.
 */

export type Severity = 'info' | 'low' | 'medium' | 'high' | 'critical';

/** Lowest first: the order escalation is measured in. */
export const SEVERITIES: readonly Severity[] = ['info', 'low', 'medium', 'high', 'critical'];

export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}

export type FindingStatus = 'open' | 'resolved';

/** JSON as it travels: what evidence may hold. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What an operator could do about a finding, with the DocSpace ids the containment commands take. */
export interface SuggestedResponse {
  /** One sentence for people. */
  summary: string;
  /** Commands to run, e.g. `docspace-logins contain session 81234`. */
  commands?: string[];
  /** Login event ids = active-connection ids that can be logged out one by one. */
  loginEventIds?: number[];
  userId?: string;
}

export interface AlertFinding {
  /** Stable across updates of the same finding (the grouping key of the engine, made unique). */
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  /** The portal URL the events came from. */
  portal: string;
  groupKey: string;
  /** Epoch milliseconds. */
  firstSeen: number;
  lastSeen: number;
  count: number;
  /** DocSpace login event ids behind the finding. */
  eventIds: number[];
  evidence: Json;
  status: FindingStatus;
  /** Grows by one each time the engine updates the finding. */
  revision: number;
  suggestedResponse?: SuggestedResponse;
}

/** Why an alert is sent (see grouping.ts). */
export type NotifyReason = 'new' | 'escalated' | 'repeat' | 'resolved';

/**
 * One notification of one finding revision: the unit the outbox stores and every destination
 * formats. `id` is the idempotency key receivers deduplicate on (`webhook-id`), the same on
 * every retry and replay.
 */
export interface Alert {
  id: string;
  reason: NotifyReason;
  /** Epoch ms when the alert was decided; fixed, so every retry sends the same body. */
  createdAt: number;
  finding: AlertFinding;
}

/**
 * How one send ended. `retry` may carry the wait the receiver asked for (Retry-After);
 * `gone` means the receiver said the endpoint no longer exists (410): the destination is
 * disabled; `failed` will not get better by retrying this alert.
 */
export type DeliveryResult =
  | { status: 'delivered' }
  | { status: 'retry'; error: string; retryAfterMs?: number }
  | { status: 'gone'; error: string }
  | { status: 'failed'; error: string };
