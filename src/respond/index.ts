// Containment through DocSpace's own levers: plan, act, verify (see respond.ts).
export { readCaller } from './caller.js';
export { describeRecord, summarizeRecord } from './describe.js';
export { defaultActionFor, type FindingForResponse, type FindingSource, findingTargets } from './finding.js';
export { assertCallerMayContain, assertTargetMayBeContained, type Caller, callerRefusal, targetRefusal } from './guard.js';
export { AUDIT_ACTION, describeRequest, planRequests, scopeAllows } from './plan.js';
export {
  type AutoRespondConfig,
  type AutoRespondDecision,
  type AutoRespondInput,
  autoRespondPolicy,
  DEFAULT_AUTO_RESPONSES_PER_HOUR,
} from './policy.js';
export { respond, type RespondOptions, type ResponseStore } from './respond.js';
export { memberTarget, resolveTarget, sessionTarget } from './target.js';
export * from './types.js';
export { auditBaseline, provesAction, verify } from './verify.js';
