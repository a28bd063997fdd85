/**
 * Containment from the User page, only with `--allow-actions`: "log out this session" and "log
 * out everywhere". Two POSTs, each with the session's CSRF token: the first shows what will
 * happen and asks to confirm, the second runs it through the respond code and shows the record.
 */
import { UsageError } from '../errors/index.js';
import { isGuid } from '../model/ids.js';
import { type Html, html } from './html.js';

export type DashboardAction = 'logout-session' | 'logout-user';

export interface ActionRequest {
  portalId: number;
  action: DashboardAction;
  /** The login event id of the session, or the user id for `logout-user`. */
  target: string;
  /** The user the page was about (to link back). */
  userId: string;
}

export interface ActionOutcome {
  ok: boolean;
  /** One line for the page: what was asked of the portal and what it answered. */
  summary: string;
  /** Whatever record the respond code kept (shown as JSON). */
  record?: unknown;
}

/** Runs an action against a portal: the `serve` command wires this to the respond library. */
export type ActionRunner = (request: ActionRequest) => Promise<ActionOutcome>;

const LABELS: Record<DashboardAction, string> = {
  'logout-session': 'Log out this session',
  'logout-user': 'Log out everywhere',
};

export function parseActionForm(form: URLSearchParams): ActionRequest {
  const action = form.get('action') as DashboardAction;
  if (!(action in LABELS)) throw new UsageError(`unknown action "${form.get('action') ?? ''}"`);
  const portalId = Number(form.get('portal'));
  const target = (form.get('target') ?? '').trim().toLowerCase();
  const userId = (form.get('user') ?? target).trim().toLowerCase();
  if (!Number.isInteger(portalId) || portalId <= 0) throw new UsageError('the action names no portal');
  if (!isGuid(userId)) throw new UsageError('the action names no user');
  if (action === 'logout-session' ? !/^\d{1,18}$/.test(target) : target !== userId) {
    throw new UsageError(action === 'logout-session' ? 'the session is a login event id' : 'log out everywhere names the user itself');
  }
  return { portalId, action, target, userId };
}

/** Who an action is about as the page names them: the archived directory's name and e-mail, when known. */
export interface ActionTarget {
  displayName?: string | null;
  email?: string | null;
}

/** "Anna Weber (anna@…)", with the user id as secondary text; the id alone for someone not in the directory. */
function targetLine(req: ActionRequest, who: ActionTarget | undefined): Html {
  const name = who?.displayName || who?.email;
  const person = name
    ? html`<strong>${name}</strong>${who?.email && who.email !== name ? html` &lt;${who.email}&gt;` : ''} <span class="muted">(<code>${req.userId}</code>)</span>`
    : html`user <code>${req.userId}</code>`;
  return req.action === 'logout-session'
    ? html`the session of ${person} that signed in with login event <code>${req.target}</code>`
    : person;
}

export function confirmBody(req: ActionRequest, csrf: string, userHref: string, who: ActionTarget | undefined): Html {
  return html`<section class="panel confirm">
  <p><strong>${LABELS[req.action]}</strong>: ${targetLine(req, who)}</p>
  <p>This asks the portal to end ${req.action === 'logout-session' ? 'that one session' : 'every session of this user'}; they can sign in again.</p>
  <form method="post" action="/actions/run" class="inline">
    <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="portal" value="${req.portalId}">
    <input type="hidden" name="action" value="${req.action}"><input type="hidden" name="target" value="${req.target}">
    <input type="hidden" name="user" value="${req.userId}">
    <button type="submit" class="danger">Yes, ${LABELS[req.action].toLowerCase()}</button>
  </form>
  <a class="button" href="${userHref}">Cancel</a>
</section>`;
}

export function outcomeBody(req: ActionRequest, outcome: ActionOutcome, userHref: string): Html {
  return html`<section class="panel">
  <p class="notice ${outcome.ok ? 'ok' : 'warn'}">${LABELS[req.action]}: ${outcome.summary}</p>
  ${outcome.record === undefined ? '' : html`<details open><summary>Record</summary><pre>${JSON.stringify(outcome.record, null, 2)}</pre></details>`}
  <a class="button" href="${userHref}">Back to the user</a>
</section>`;
}
