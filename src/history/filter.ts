/**
 * Client-side filters. The server's `login/filter` windows the unfiltered list before it
 * filters, so every filter the user asks for is applied here, on complete pages.
 */
import type { ActionKind } from '../model/actions.js';
import { attributionKey, typedLoginKey } from '../model/attribution.js';
import type { LoginEvent } from '../model/event.js';

export interface EventFilter {
  /** Inclusive lower bound, epoch ms. */
  since?: number;
  /** Inclusive upper bound, epoch ms. */
  until?: number;
  /** Match the event's user id... */
  userIds?: readonly string[];
  /**
   * ...or an anonymous event's typed login, compared by the attribution rule's key
   * (`model/attribution.ts`): failures carry the Guest id, the login names the target.
   */
  logins?: readonly string[];
  kinds?: readonly ActionKind[];
  actionIds?: readonly number[];
}

export type EventPredicate = (e: LoginEvent) => boolean;

export function compileFilter(f: EventFilter): EventPredicate {
  const ids = f.userIds?.length ? new Set(f.userIds.map((s) => s.toLowerCase())) : undefined;
  const logins = f.logins?.length ? new Set(f.logins.map(attributionKey)) : undefined;
  const kinds = f.kinds?.length ? new Set(f.kinds) : undefined;
  const actions = f.actionIds?.length ? new Set(f.actionIds) : undefined;
  const { since, until } = f;
  return (e) => {
    if (since !== undefined && e.time < since) return false;
    if (until !== undefined && e.time > until) return false;
    if (kinds && !kinds.has(e.kind)) return false;
    if (actions && !actions.has(e.actionId)) return false;
    if (ids || logins) {
      const byId = ids?.has(e.userId) ?? false;
      const key = logins !== undefined && e.anonymous ? typedLoginKey(e.login) : undefined;
      const byLogin = key !== undefined && logins!.has(key);
      if (!byId && !byLogin) return false;
    }
    return true;
  };
}
