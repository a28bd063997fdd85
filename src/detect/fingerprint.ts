// The rules fingerprint the engine state is stored under, in a module of its own: a watch cycle
// with nothing new computes it to find the state's cursor without loading the engine.
import { createHash } from 'node:crypto';
import type { RuleSpec } from './rule-schema.js';
import type { DetectContext } from './types.js';

/**
 * What the engine state depends on: the rules (without their tests), their parameters and the
 * login key. A state made under another fingerprint is not continued; the run starts afresh.
 */
export function rulesFingerprint(rules: readonly RuleSpec[], ctx: Pick<DetectContext, 'params' | 'secret'>): string {
  const specs = [...rules].sort((a, b) => (a.id < b.id ? -1 : 1)).map(({ tests: _tests, ...rest }) => rest);
  const key = ctx.secret === undefined ? null : createHash('sha256').update(ctx.secret).digest('hex');
  return createHash('sha256').update(JSON.stringify({ specs, params: ctx.params ?? {}, key })).digest('hex').slice(0, 32);
}
