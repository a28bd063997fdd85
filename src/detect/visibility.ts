import { findingId } from './findings.js';
import { ms } from './rule.js';
import type { RuleSpec } from './rule-schema.js';
import type { Finding } from './types.js';

/**
 * DSL-018, judged from how polling went rather than from events. Without the audit feature the
 * server answers every login-history request with the 20 newest events and ignores filters; and
 * a poll that finds more than 20 new events with no overlap with the previous one may have lost
 * events in between. Either way detections are blind to part of the history: say so.
 */
export interface PollCoverage {
  /** When the poll ran (epoch ms). */
  at: number;
  /** The quota's `audit` flag, when known. */
  audit?: boolean;
  /** The server ignored the filters it was sent (≤ 20 rows whatever was asked). */
  filtersIgnored?: boolean;
  /** Events new since the previous poll. */
  newEvents?: number;
  /** The page reached back to events the previous poll already had (continuity proven). */
  overlap?: boolean;
}

export function visibilityFindings(polls: readonly PollCoverage[], rule: RuleSpec): Finding[] {
  const gapAbove = Number(rule.params.gap_events ?? 20);
  const suppress = rule.suppress ? ms(rule.suppress.window) : 6 * 3_600_000;
  const out: Finding[] = [];
  const open = new Map<string, Finding>();
  for (const p of polls) {
    const ts = p.at;
    const reasons: [string, Record<string, unknown>][] = [];
    if (p.audit === false || p.filtersIgnored) reasons.push(['no-audit', { audit: p.audit ?? null, filtersIgnored: Boolean(p.filtersIgnored) }]);
    if ((p.newEvents ?? 0) > gapAbove && p.overlap === false) reasons.push(['gap', { newEvents: p.newEvents }]);
    for (const [group, detail] of reasons) {
      const have = open.get(group);
      if (have && ts - have.firstSeen <= suppress) {
        have.count++;
        have.lastSeen = ts;
        continue;
      }
      const f: Finding = {
        id: findingId(rule.id, group, ts), rule: rule.id, title: rule.title, severity: rule.severity, tags: [...rule.tags],
        group, firstSeen: ts, lastSeen: ts, count: 1, eventIds: [], sessionIds: [],
        confidence: 'high', evidence: detail,
      };
      open.set(group, f);
      out.push(f);
    }
  }
  return out;
}
