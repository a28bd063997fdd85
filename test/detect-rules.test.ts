import { describe, expect, it } from 'vitest';
import { BUILTIN_RULES_DIR, loadRules, runRuleTests } from '../src/detect/index.js';

const rules = loadRules(BUILTIN_RULES_DIR);
const results = await runRuleTests(rules);

describe('built-in rules pass their inline tests', () => {
  it('every rule ships tests', () => {
    for (const r of rules) expect(r.spec.tests.length, r.spec.id).toBeGreaterThan(0);
  });
  it.each(results.map((r) => [`${r.rule}: ${r.test}`, r] as const))('%s', (_name, r) => {
    expect(r.problems).toEqual([]);
  });
});
