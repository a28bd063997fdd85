import type { ActionKind } from '../model/actions.js';
import type { FindingBook } from './findings.js';
import type { Profiles } from './profiles.js';
import type { CompiledRule } from './rule.js';
import type { Entry, EventView, ViewBuilder } from './view.js';

/** What every rule kind implements: see events in time order, keep bounded state, export it. */
export interface Processor {
  readonly rule: CompiledRule;
  /** Called for every event (after `rule.match` passed, unless `allEvents` is set). */
  onEvent(v: EventView, entry: () => Entry): void;
  /** See events the selection rejects too (code rules that match on their own). */
  readonly allEvents?: boolean;
  /** The outcomes it acts on (default all): events of other outcomes are not passed to it. */
  readonly outcomes?: readonly ActionKind[];
  /** Drops groups with nothing left in their window. */
  sweep(now: number): void;
  exportState(): unknown;
  importState(state: unknown): void;
}

export interface ProcessorEnv {
  book: FindingBook;
  profiles: Profiles;
  views: ViewBuilder;
}
