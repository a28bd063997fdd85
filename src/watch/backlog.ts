/**
 * Findings from the past, told once. The first cycle over a portal's long history (or a watcher
 * catching up after being down for hours) finds many findings whose activity is long over: one
 * page per old finding would bury whatever is happening now. A finding last seen before the
 * fresh window is recorded as usual but not paged on its own; the cycle sends one summary of
 * them per portal instead, the most severe and newest named first, with the command that lists
 * them all. What is fresh, and every resolution of a finding that was paged, is alerted as usual.
 */
import type { AlertFinding, Severity } from '../alert/types.js';
import { SEVERITIES, severityRank } from '../alert/types.js';
import { isoUtc } from '../model/time.js';
import type { WatchedFinding } from './contract.js';

/** Rule id of the summary alert. */
export const HISTORY_SUMMARY_RULE = 'OPS-HISTORY-SUMMARY';

/** Findings last seen longer ago than this are history (default of `WatchDeps.freshForMs`). */
export const DEFAULT_FRESH_FOR_MS = 60 * 60 * 1000;

/** Findings the summary names one by one; the rest are counted. */
const NAMED = 10;

/** Open and last seen before `freshBefore`: part of the summary, not paged on its own. (Acknowledged ones are known already.) */
export function isHistory(f: WatchedFinding, freshBefore: number): boolean {
  return f.status === 'open' && f.lastSeen < freshBefore;
}

/**
 * The summary of `history` (non-empty) as one alert finding of the portal: as severe as the
 * most severe of them, its id unique to this cycle (`now`), so each catch-up is its own alert.
 */
export function historySummary(history: readonly WatchedFinding[], portalUrl: string, now: number): AlertFinding {
  const bySeverity: Partial<Record<Severity, number>> = {};
  const byRule: Record<string, number> = {};
  for (const f of history) {
    bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    byRule[f.rule] = (byRule[f.rule] ?? 0) + 1;
  }
  const order = [...history].sort(
    (a, b) => severityRank(b.severity) - severityRank(a.severity) || b.lastSeen - a.lastSeen || (a.id < b.id ? -1 : 1),
  );
  const top = order[0];
  const counts = [...SEVERITIES].reverse().filter((s) => bySeverity[s]).map((s) => `${bySeverity[s]} ${s}`);
  const firstSeen = Math.min(...history.map((f) => f.firstSeen));
  const lastSeen = Math.max(...history.map((f) => f.lastSeen));
  return {
    id: `ops:history:${portalUrl}:${now}`,
    rule: HISTORY_SUMMARY_RULE,
    title: `${history.length} finding${history.length === 1 ? '' : 's'} in the history read (${counts.join(', ')})`,
    severity: top.severity,
    portal: portalUrl,
    groupKey: portalUrl,
    firstSeen,
    lastSeen,
    count: history.length,
    eventIds: [],
    evidence: {
      findings: history.length,
      bySeverity,
      byRule,
      newest: order.slice(0, NAMED).map((f) => ({ id: f.id, rule: f.rule, severity: f.severity, title: f.title, lastSeen: isoUtc(f.lastSeen) })),
    },
    status: 'open',
    revision: 1,
    suggestedResponse: {
      summary:
        'Activity that ended before the watcher saw it: recorded, not paged one by one. Review the open findings, ' +
        'acknowledge or resolve them; any of them that flares up again is alerted on its own.',
      commands: [`docspace-logins findings list --status open --since ${new Date(firstSeen).toISOString().slice(0, 10)}`],
    },
  };
}
