// Detections: the rule format, the engine that runs rules over login events, built-in rules and rule tests.
export { type DetectState, Detector, detect, STATE_VERSION } from './engine.js';
export { ExprError } from './expr.js';
export { findingId } from './findings.js';
export { BUILTIN_RULES_DIR, builtinRules, type LoadedRule, loadRules, parseRule, RuleLoadError } from './load.js';
export { loginShape, redactLogin } from './login-shape.js';
export { MODULES } from './modules/registry.js';
export {
  archiveContext,
  type DetectArchiveOptions,
  detectArchive,
  detectMember,
  type DetectNewOptions,
  detectNew,
  type DetectRunOptions,
  type DetectRunResult,
  rulesFingerprint,
  runChunks,
  unstored,
} from './run.js';
export type { CorrelationSpec, RuleSpec, RuleTestSpec } from './rule-schema.js';
export { ruleSchema } from './rule-schema.js';
export { fixtureEvents, runRuleTests, type RuleTestResult, TEST_PEOPLE } from './rule-tests.js';
export { type DetectContext, type EventSource, type Finding, type Member, SEVERITIES, type Severity } from './types.js';
export { VIEW_FIELDS, type ViewField } from './view.js';
export { type PollCoverage, visibilityFindings } from './visibility.js';
