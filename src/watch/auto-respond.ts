/**
 * Automatic containment after a cycle's detection committed: for each changed finding whose rule
 * asks for a response (`respond:` in the rule), the pure policy of src/respond decides, then
 * `respond` acts and verifies, recorded as automatic. Off unless switched on; network calls stay
 * out of the transaction that recorded the findings.
 */
import type { DocSpaceClient } from '../client/client.js';
import type { RuleSpec } from '../detect/rule-schema.js';
import { isAnonymousId, isGuid } from '../model/ids.js';
import { type AutoRespondConfig, autoRespondPolicy } from '../respond/policy.js';
import { respond } from '../respond/respond.js';
import type { ArchiveStore } from '../store/archive-store.js';
import type { WatchedFinding } from './contract.js';

const HOUR = 3_600_000;

/** What a watcher did (or declined to do) about one finding. */
export interface AutoResponse {
  finding: string;
  action?: string;
  target?: string;
  /** `verified`, `unverified` or `failed`; absent when the policy said no. */
  outcome?: string;
  /** Why not, or what went wrong (redacted). */
  reason: string;
}

export async function autoRespond(
  store: ArchiveStore,
  client: DocSpaceClient,
  portalId: number,
  changed: readonly WatchedFinding[],
  rules: readonly RuleSpec[],
  config: AutoRespondConfig,
  now: () => number,
): Promise<AutoResponse[]> {
  const byId = new Map(rules.map((r) => [r.id, r]));
  const out: AutoResponse[] = [];
  for (const f of changed) {
    const rule = byId.get(f.rule);
    if (!rule?.respond || f.status === 'suppressed' || f.status === 'resolved') continue;
    const group = f.group.toLowerCase();
    const [person] = isGuid(group) && !isAnonymousId(group) ? await store.findPeople(portalId, { keys: [group] }) : [];
    const recent = (await store.responses({ portalId, automatic: true, since: now() - HOUR })).map((r) => r.startedAt);
    const decision = autoRespondPolicy(
      {
        rule: { id: rule.id, respond: rule.respond },
        finding: f,
        member: person ? { id: person.id, isOwner: person.role === 'owner', isAdmin: person.role === 'admin' } : undefined,
        recent,
        now: now(),
      },
      config,
    );
    if (!decision.respond) {
      out.push({ finding: f.id, reason: decision.reason });
      continue;
    }
    for (const target of decision.targets) {
      try {
        const record = await respond({
          client,
          action: decision.action,
          target,
          findingId: f.id,
          dryRun: false,
          store,
          portalId,
          allowAdmin: config.allowAdmin,
          automatic: true,
          now,
        });
        out.push({ finding: f.id, action: decision.action, target, outcome: record.outcome, reason: decision.reason });
      } catch (err) {
        out.push({ finding: f.id, action: decision.action, target, outcome: 'failed', reason: client.redact((err as Error).message) });
      }
    }
  }
  return out;
}
