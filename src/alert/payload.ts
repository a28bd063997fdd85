/**
 * The canonical alert document every destination starts from: the finding, its evidence, the
 * event ids and the suggested response, in the Standard Webhooks envelope `{type, timestamp, data}`.
 * A webhook receives exactly this (example: test/fixtures/alert/webhook.json):
 *
 *   {"type":"docspace_logins.alert.new","timestamp":"2026-03-02T09:30:00.000Z",
 *    "data":{"alert":{"id":"dsl-003:198.51.100.7:1","reason":"new"},
 *            "finding":{"id":"dsl-003:198.51.100.7","rule":"DSL-003","title":"Password spray from one IP",
 *                       "severity":"high","status":"open","portal":"https://acme.docspace.example",
 *                       "groupKey":"198.51.100.7","firstSeen":"…","lastSeen":"…","count":18,"revision":1},
 *            "evidence":{"ip":"198.51.100.7","targets":6},"eventIds":[81234,81235],
 *            "suggestedResponse":{"summary":"…","commands":["…"]}}}
 */
import type { Alert, AlertFinding, Json, NotifyReason, SuggestedResponse } from './types.js';

/** Event ids beyond this many are counted, not listed: Standard Webhooks asks for bodies under 20 kB. */
export const MAX_EVENT_IDS = 500;

export interface AlertDocument {
  type: `docspace_logins.alert.${NotifyReason}`;
  timestamp: string;
  data: {
    alert: { id: string; reason: NotifyReason };
    finding: {
      id: string;
      rule: string;
      title: string;
      severity: AlertFinding['severity'];
      status: AlertFinding['status'];
      portal: string;
      groupKey: string;
      firstSeen: string;
      lastSeen: string;
      count: number;
      revision: number;
    };
    evidence: Json;
    eventIds: number[];
    /** Present when `eventIds` was cut to MAX_EVENT_IDS: how many there were. */
    eventIdsTotal?: number;
    suggestedResponse: SuggestedResponse | null;
  };
}

/** The idempotency key of one revision of a finding: the same on every retry and replay. */
export function alertId(finding: Pick<AlertFinding, 'id' | 'revision'>): string {
  return `${finding.id}:${finding.revision}`;
}

export function createAlert(finding: AlertFinding, reason: NotifyReason, now: number): Alert {
  return { id: alertId(finding), reason, createdAt: now, finding };
}

export function alertDocument(alert: Alert): AlertDocument {
  const f = alert.finding;
  const cut = f.eventIds.length > MAX_EVENT_IDS;
  return {
    type: `docspace_logins.alert.${alert.reason}`,
    timestamp: new Date(alert.createdAt).toISOString(),
    data: {
      alert: { id: alert.id, reason: alert.reason },
      finding: {
        id: f.id,
        rule: f.rule,
        title: f.title,
        severity: f.severity,
        status: f.status,
        portal: f.portal,
        groupKey: f.groupKey,
        firstSeen: new Date(f.firstSeen).toISOString(),
        lastSeen: new Date(f.lastSeen).toISOString(),
        count: f.count,
        revision: f.revision,
      },
      evidence: f.evidence,
      eventIds: cut ? f.eventIds.slice(0, MAX_EVENT_IDS) : f.eventIds,
      ...(cut ? { eventIdsTotal: f.eventIds.length } : {}),
      suggestedResponse: f.suggestedResponse ?? null,
    },
  };
}

const REASON_WORDS: Record<NotifyReason, string> = {
  new: 'New',
  escalated: 'Escalated',
  repeat: 'Still active',
  resolved: 'Resolved',
};

/** One line for subjects, chat fallbacks and syslog: "[HIGH] New: Password spray from one IP (198.51.100.7, 18 events)". */
export function summaryLine(alert: Alert): string {
  const f = alert.finding;
  const events = f.count === 1 ? '1 event' : `${f.count} events`;
  return `[${f.severity.toUpperCase()}] ${REASON_WORDS[alert.reason]}: ${oneLine(f.title)} (${oneLine(f.groupKey)}, ${events})`;
}

/** Attacker-typed text (logins) reaches titles and keys: never let it break a line-based format. */
export function oneLine(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]+/g, ' ');
}

/** Evidence as "key: value" pairs for formats that show facts, not JSON. */
export function evidenceFacts(evidence: Json, max = 12): Array<[string, string]> {
  if (evidence === null || typeof evidence !== 'object' || Array.isArray(evidence)) {
    return evidence === null ? [] : [['evidence', short(JSON.stringify(evidence))]];
  }
  return Object.entries(evidence)
    .slice(0, max)
    .map(([k, v]) => [k, short(typeof v === 'string' ? v : JSON.stringify(v))]);
}

function short(text: string, max = 200): string {
  const line = oneLine(text);
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
