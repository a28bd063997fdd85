import { PeopleDirectory, attributeFailure } from '../model/attribution.js';
import { rank } from './findings.js';
import type { Finding, Member } from './types.js';

/**
 * Precision and recall of findings against labelled scenarios (the emulator's ground truth at
 * `/__emulator/scenarios`). A labelled attack is found when a finding of the rule meant for it
 * holds one of its events, and grouped right when that finding's group is the scenario's group
 * key — a typed login in the ground truth is resolved through the people directory first, as
 * detections resolve it. A finding above `low` that holds no event of any labelled attack, and
 * does not follow a finding that does (success after attack), is a false finding (benign
 * look-alikes included).
 */

/** What scoring reads of a scenario (the emulator's `Scenario` fits). */
export interface LabelledScenario {
  id: string;
  kind: string;
  malicious: boolean;
  groupKey: string;
  eventIds: readonly number[];
}

/** The built-in rule each labelled kind of attack must raise. */
export const RULE_FOR_KIND: Readonly<Record<string, string>> = {
  'password-spray': 'DSL-003',
  'credential-stuffing': 'DSL-004',
  'distributed-brute-force': 'DSL-005',
  'success-after-attack': 'DSL-007',
  'impossible-travel': 'DSL-009',
  'tfa-failures': 'DSL-008',
  'dormant-account': 'DSL-013',
  'disabled-account-attempts': 'DSL-016',
  'disabled-account-success': 'DSL-016',
  'password-in-login': 'DSL-014',
};

/** Kinds whose ground-truth key is not what the rule groups by (the rule keys a hash of the typed text). */
const GROUPED_OTHERWISE: ReadonlySet<string> = new Set(['password-in-login']);

export interface ScenarioScore {
  id: string;
  kind: string;
  rule: string;
  found: boolean;
  /** The finding's group equals the scenario's key (undefined where the rule groups otherwise). */
  groupedRight?: boolean;
  findingIds: string[];
}

export interface QualityScore {
  scenarios: ScenarioScore[];
  /** Share of labelled attacks found by their rule (1 when there are none). */
  recall: number;
  /** Findings above `low` that hold no event of a labelled attack. */
  falseFindings: Finding[];
  /** Findings above `low` in all. */
  aboveLow: number;
}

export function scoreFindings(findings: readonly Finding[], scenarios: readonly LabelledScenario[], people: readonly Member[] = []): QualityScore {
  const directory = new PeopleDirectory(people);
  const attackEvents = new Set<number>();
  for (const s of scenarios) if (s.malicious) for (const id of s.eventIds) attackEvents.add(id);
  const scores: ScenarioScore[] = [];
  for (const s of scenarios) {
    const rule = RULE_FOR_KIND[s.kind];
    if (!s.malicious || !rule) continue;
    const ids = new Set(s.eventIds);
    const hits = findings.filter((f) => f.rule === rule && f.eventIds.some((id) => ids.has(id)));
    const key = attributeFailure(s.groupKey, directory) ?? s.groupKey.toLowerCase();
    scores.push({
      id: s.id,
      kind: s.kind,
      rule,
      found: hits.length > 0,
      groupedRight: GROUPED_OTHERWISE.has(s.kind) ? undefined : hits.some((f) => f.group === key),
      findingIds: hits.map((f) => f.id),
    });
  }
  // A finding about a labelled attack holds its events, or (success after attack) names the
  // findings of the attack it follows: the victim's own next login is what that rule is for.
  const explained = new Set(findings.filter((f) => f.eventIds.some((id) => attackEvents.has(id))).map((f) => f.id));
  const follows = (f: Finding) => {
    const before = f.evidence.attackFindings;
    return Array.isArray(before) && before.some((id) => explained.has(id as string));
  };
  const aboveLow = findings.filter((f) => rank(f.severity) > rank('low'));
  return {
    scenarios: scores,
    recall: scores.length ? scores.filter((s) => s.found).length / scores.length : 1,
    falseFindings: aboveLow.filter((f) => !explained.has(f.id) && !follows(f)),
    aboveLow: aboveLow.length,
  };
}
