/**
 * What `respond` refuses before it sends anything: a key that cannot write, a caller who is not
 * an admin, the portal owner, the caller themselves, and admins unless explicitly allowed. Each
 * refusal is a PermissionError (exit 4) whose message says why and what would work.
 */
import { PermissionError } from '../errors/index.js';
import { scopeAllows } from './plan.js';
import type { RespondAction, RespondTarget } from './types.js';

export interface Caller {
  id: string;
  name: string;
  isOwner: boolean;
  isAdmin: boolean;
  /**
   * The API key's scopes; undefined when the caller is not using a key (a session token has
   * the member's full rights) or when the portal would not say.
   */
  permissions?: readonly string[];
}

/** The reason a caller cannot contain at all, whatever the target; undefined when they can. */
export function callerRefusal(action: RespondAction, caller: Caller): string | undefined {
  if (caller.permissions && !scopeAllows(action, caller.permissions)) {
    const has = caller.permissions.join(', ');
    return `the API key has only ${has}: a read-only key can read login history but cannot contain anything (logouts and status changes need *:write). Create a key with *:write for containment and keep the read-only one for reading`;
  }
  if (!caller.isOwner && !caller.isAdmin) {
    return `the key's user ${caller.name} is not a DocSpace admin: only an admin (or the owner) can end another member's sessions or disable them`;
  }
  return undefined;
}

/** The reason this target is refused; undefined when it may be contained. */
export function targetRefusal(
  action: RespondAction,
  caller: Caller,
  target: RespondTarget,
  allowAdmin = false,
): string | undefined {
  const who = `${target.name} (${target.userId})`;
  if (target.userId === caller.id) {
    return `${who} is the key's own user: containing yourself would cut off the tool that does the containing`;
  }
  if (target.role === 'owner') return `${who} is the portal owner, who is never contained by this tool`;
  if (target.role === 'admin') {
    if (!allowAdmin) return `${who} is a DocSpace admin: add --allow-admin to contain an admin`;
    if (action === 'disable-user' && !caller.isOwner) {
      return `${who} is a DocSpace admin, and only the owner can disable an admin (the portal would skip it silently)`;
    }
  }
  return undefined;
}

export function assertCallerMayContain(action: RespondAction, caller: Caller): void {
  const why = callerRefusal(action, caller);
  if (why) throw new PermissionError(`Cannot ${action}: ${why}`, { refused: 'caller' });
}

export function assertTargetMayBeContained(
  action: RespondAction,
  caller: Caller,
  target: RespondTarget,
  allowAdmin?: boolean,
): void {
  const why = targetRefusal(action, caller, target, allowAdmin);
  if (why) throw new PermissionError(`Refused to ${action}: ${why}`, { refused: 'target' });
}
