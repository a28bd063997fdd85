import { parseDuration } from '../model/time.js';
import { type Compiled, compileExpr } from './expr.js';
import { FINDING_VARS, type OpenFinding } from './findings.js';
import type { RuleSpec } from './rule-schema.js';
import { compileDetection, type OutcomeRoutes, type Predicate } from './selection.js';
import type { Severity } from './types.js';
import { type EventView, type ViewField, VIEW_READERS } from './view.js';

/** A rule ready to run: selections compiled, durations in milliseconds, parameters applied. */
export interface CompiledRule {
  id: string;
  title: string;
  severity: Severity;
  tags: string[];
  spec: RuleSpec;
  /** Where it was loaded from, for messages. */
  source?: string;
  params: Record<string, unknown>;
  match: Predicate;
  /** Per outcome, whether `match` holds for every event (true), none (false) or must be asked. */
  byOutcome: OutcomeRoutes;
  selections: Map<string, Predicate>;
  windowMs: number;
  suppressMs: number;
  suppressBy: readonly ViewField[];
  escalate: { when: Compiled<OpenFinding>; severity: Severity }[];
}

const HOUR = 3_600_000;

export function ms(duration: string): number {
  return parseDuration(duration) ?? 0;
}

/** Compiles a validated rule; throws SelectionError / ExprError naming the faulty part. */
export function compileRule(spec: RuleSpec, overrides: Readonly<Record<string, unknown>> = {}, source?: string): CompiledRule {
  const params = { ...spec.params, ...overrides };
  const detection = spec.detection
    ? compileDetection(spec.detection, ['detection'])
    : { match: () => true, selections: new Map(), byOutcome: { success: true, failure: true, logout: true, other: true } as const };
  const c = spec.correlation;
  const windowMs = c && 'window' in c ? ms(c.window) : HOUR;
  const groupBy: readonly ViewField[] = c && 'group_by' in c ? c.group_by : ['target'];
  const escalate = spec.escalate.map((step, i) => {
    try {
      return { when: compileExpr(step.when, { vars: FINDING_VARS, params }), severity: step.severity };
    } catch (err) {
      throw Object.assign(err as Error, { path: ['escalate', i, 'when'] });
    }
  });
  return {
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    tags: spec.tags,
    spec,
    source,
    params,
    match: detection.match as (v: EventView) => boolean,
    byOutcome: detection.byOutcome,
    selections: detection.selections,
    windowMs,
    suppressMs: spec.suppress ? ms(spec.suppress.window) : windowMs,
    suppressBy: spec.suppress?.group_by ?? groupBy,
    escalate,
  };
}

/** `keyOf` for fixed `fields`, made once: each field read by its own reader. */
export function keyer(fields: readonly ViewField[]): (v: EventView) => string {
  if (fields.length === 0) return () => '*';
  const readers = fields.map((f) => VIEW_READERS[f]);
  if (readers.length === 1) {
    const read = readers[0];
    return (v) => String(read(v) ?? '');
  }
  return (v) => readers.map((read) => String(read(v) ?? '')).join('|');
}

/** `a|b` key of some view fields; `*` for none (portal-wide). */
export function keyOf(v: EventView, fields: readonly ViewField[]): string {
  if (fields.length === 0) return '*';
  const rec = v as unknown as Record<string, unknown>;
  if (fields.length === 1) return String(rec[fields[0]] ?? '');
  return fields.map((f) => String(rec[f] ?? '')).join('|');
}
