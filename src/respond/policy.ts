/**
 * Whether a watcher may contain on its own, for a rule that carries `respond:` (rule-schema.ts).
 * A pure decision, in this order: automatic response is off unless switched on; the rule must ask
 * for it; the finding must name a member (and, for logout-session, sessions); the owner never,
 * an admin only with `allowAdmin`; and at most `maxPerHour` automatic responses in any hour.
 * The watcher calls it per changed finding, then `respond` with `dryRun: false`.
 */
import type { RespondAction } from './types.js';

export interface AutoRespondConfig {
  /** Off by default: a watcher contains on its own only when told to. */
  enabled: boolean;
  /** Automatic responses in any sliding hour (default 3). */
  maxPerHour?: number;
  /** Contain DocSpace admins too (never the owner). */
  allowAdmin?: boolean;
}

export const DEFAULT_AUTO_RESPONSES_PER_HOUR = 3;

export interface AutoRespondInput {
  rule: { id: string; respond?: RespondAction };
  finding: { id: string; sessionIds: readonly number[] };
  /** The member the finding is about, from the people directory; undefined when it names nobody. */
  member?: { id: string; isOwner?: boolean; isAdmin?: boolean };
  /**
   * When earlier automatic responses were made (epoch ms), any order: from the archive,
   * `store.responses({ portalId, automatic: true, since: now - 3_600_000 }).map((r) => r.startedAt)`.
   */
  recent: readonly number[];
  now: number;
}

export type AutoRespondDecision =
  | { respond: true; action: RespondAction; targets: string[]; reason: string }
  | { respond: false; reason: string };

const HOUR = 3_600_000;

export function autoRespondPolicy(input: AutoRespondInput, config: AutoRespondConfig): AutoRespondDecision {
  const no = (reason: string): AutoRespondDecision => ({ respond: false, reason });
  const { rule, finding, member } = input;
  if (!config.enabled) return no('automatic response is off');
  const action = rule.respond;
  if (!action) return no(`rule ${rule.id} asks for no response`);
  if (!member) return no(`finding ${finding.id} names no member to contain`);
  if (member.isOwner) return no('the portal owner is never contained automatically');
  if (member.isAdmin && !config.allowAdmin) return no(`${member.id} is an admin: automatic response needs --allow-admin`);
  const cap = config.maxPerHour ?? DEFAULT_AUTO_RESPONSES_PER_HOUR;
  const lastHour = input.recent.filter((at) => at > input.now - HOUR && at <= input.now).length;
  if (lastHour >= cap) return no(`${lastHour} automatic responses in the last hour: the cap is ${cap}`);
  const targets = action === 'logout-session' ? finding.sessionIds.map(String) : [member.id];
  if (targets.length === 0) return no(`finding ${finding.id} holds no session to log out`);
  return { respond: true, action, targets, reason: `rule ${rule.id} asks for ${action}` };
}
