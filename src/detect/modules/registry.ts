import type { Processor, ProcessorEnv } from '../processor.js';
import type { CompiledRule } from '../rule.js';
import { RiskProcessor } from './risk.js';
import { TravelProcessor } from './travel.js';

/** The TypeScript escape hatch: `engine: code` + `module: <name>` picks a processor from here. */
export type ModuleFactory = (rule: CompiledRule, env: ProcessorEnv) => Processor;

export const MODULES: Readonly<Record<string, ModuleFactory>> = {
  travel: (rule, env) => new TravelProcessor(rule, env),
  risk: (rule, env) => new RiskProcessor(rule, env),
  // Visibility is judged from sync results, not events: see visibilityFindings().
  visibility: (rule) => ({ rule, outcomes: [], onEvent() {}, sweep() {}, exportState: () => null, importState() {} }),
};
