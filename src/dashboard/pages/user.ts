/**
 * User: the timeline of sign-ins, failures with what was typed, places and devices with first
 * and last seen, the hour-of-week baseline, findings, and (with --allow-actions) log-out buttons.
 */
import { UsageError } from '../../errors/index.js';
import { filterForPeople } from '../../history/resolve-users.js';
import { isGuid } from '../../model/ids.js';
import { PERSON_STATUS } from '../../model/person.js';
import { eventPage } from '../data/events.js';
import { seriesOf, weekHours } from '../data/overview.js';
import { PortalPeople } from '../data/people.js';
import type { Scope } from '../data/scope.js';
import { type SeenRow, seenEach } from '../data/seen.js';
import { count, ipHref, link, shownLogin, when } from '../format.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import type { View } from '../view.js';
import { chart, heatMap } from '../widgets.js';
import { findingsTable } from './findings.js';
import { type PageDeps, periodStart } from './overview.js';

const STATUS_NAMES: Record<number, string> = Object.fromEntries(Object.entries(PERSON_STATUS).map(([name, code]) => [code, name]));

export interface UserPageOptions {
  /** The session's CSRF token when actions are allowed; no buttons without it. */
  actionsCsrf?: string;
}

export async function userPage(deps: PageDeps, v: View, opts: UserPageOptions = {}): Promise<Html> {
  const id = (v.url.searchParams.get('id') ?? '').toLowerCase();
  if (!isGuid(id)) throw new UsageError('the user page needs ?id= with a user id (GUID)');
  if (v.portalIds.length !== 1) throw new UsageError('the user page needs one portal: ?portal=');
  const portalId = v.portalIds[0];
  const people = await PortalPeople.load(deps.store, [portalId]);
  const person = people.person(portalId, id);
  const base = { since: v.since, until: v.until };
  const filter = person ? filterForPeople(base, [person]) : { ...base, userIds: [id] };
  const scope: Scope = { portalIds: [portalId], filter };
  const from = await periodStart(deps, v);
  const [series, failures, [places, devices, ips], baseline, sessions, findings, latest] = await Promise.all([
    seriesOf(deps.store, scope, from, v.until, 90),
    eventPage(deps.store, { ...scope, filter: { ...filter, kinds: ['failure'] } }, 20),
    seenEach(deps.store, scope, [['country', 'city'], ['browser', 'platform'], ['ip']], 20),
    weekHours(deps.store, scope, v.clock, 'success'),
    opts.actionsCsrf ? eventPage(deps.store, { ...scope, filter: { ...filter, kinds: ['success'] } }, 10) : undefined,
    deps.findings?.list({ portalIds: [portalId], groups: [id, person?.email, person?.userName].filter((g): g is string => Boolean(g)), limit: 50 }),
    eventPage(deps.store, { portalIds: [portalId], filter: { userIds: [id] } }, 1),
  ]);
  const name = person?.displayName || latest.rows[0]?.event.user || id;
  const total = series.values.success.reduce((a, b) => a + b, 0) + series.values.failure.reduce((a, b) => a + b, 0);
  const body = html`
<section class="person">
  <dl>
    ${person?.email ? html`<dt>E-mail</dt><dd>${person.email}</dd>` : ''}
    ${person?.userName ? html`<dt>User name</dt><dd>${person.userName}</dd>` : ''}
    ${person ? html`<dt>Role</dt><dd>${person.role}</dd><dt>Status</dt><dd>${person.removedAt ? 'removed' : (STATUS_NAMES[person.status] ?? String(person.status))}</dd>` : html`<dt>Directory</dt><dd class="muted">not in the archived people directory</dd>`}
    <dt>User id</dt><dd><code>${id}</code></dd>
    <dt>Events</dt><dd><a href="${link(v, '/events', { user: id, portal: portalId })}">${count(total)} in this period →</a></dd>
  </dl>
  ${opts.actionsCsrf ? actionForm(opts.actionsCsrf, portalId, 'logout-user', id, 'Log out everywhere', 'danger') : ''}
</section>
<section class="panel wide"><h2>Sign-ins over time</h2>
  ${chart(v, series, [{ label: 'success', key: 'success' }, { label: 'failure', key: 'failure' }], { stacked: true, label: `Sign-ins of ${name} over time`, height: 200 })}
</section>
<div class="grid2">
<section class="panel"><h2>Failed sign-ins</h2>
  ${failures.rows.length ? html`<table class="data"><thead><tr><th>Time</th><th>Typed login</th><th>Action</th><th>Address</th></tr></thead><tbody>
  ${failures.rows.map((r) => html`<tr><td class="time">${when(v, r.time, r.offsetMinutes)}</td><td>${shownLogin(r.event.login, deps.secret)}</td><td>${r.event.action}</td><td><a href="${ipHref(v, r.event.ip)}"><code>${r.event.ip}</code></a></td></tr>`)}
  </tbody></table>` : html`<p class="muted">No failed sign-ins in this period.</p>`}
</section>
<section class="panel"><h2>Usual hours (successful sign-ins)</h2>${heatMap(baseline, 'Successful sign-ins by weekday and hour', 'ok')}</section>
<section class="panel"><h2>Places</h2>${seenTable(v, places, ['country', 'city'], ['Country', 'City'])}</section>
<section class="panel"><h2>Devices</h2>${seenTable(v, devices, ['browser', 'platform'], ['Browser', 'Platform'])}</section>
<section class="panel"><h2>Addresses</h2>${seenTable(v, ips, ['ip'], ['Address'])}</section>
${sessions ? html`<section class="panel"><h2>Recent sessions</h2><table class="data"><thead><tr><th>Signed in</th><th>Address</th><th>Device</th><th></th></tr></thead><tbody>
  ${sessions.rows.map((r) => html`<tr><td class="time">${when(v, r.time, r.offsetMinutes)}</td><td><code>${r.event.ip}</code></td><td class="muted">${[r.event.browser, r.event.platform].filter(Boolean).join(' · ')}</td>
  <td>${actionForm(opts.actionsCsrf!, portalId, 'logout-session', String(r.event.id), 'Log out this session', '', id)}</td></tr>`)}
  </tbody></table></section>` : ''}
</div>
<section class="panel wide"><h2>Findings</h2>${findings ? findingsTable(v, findings, { people }) : html`<p class="muted">No findings store in this archive yet.</p>`}</section>`;
  return page(v, { title: name, section: '', keep: { id } }, body);
}

function actionForm(csrf: string, portalId: number, action: string, target: string, label: string, tone: string, userId?: string): Html {
  return html`<form method="post" action="/actions/confirm" class="inline action">
  <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="portal" value="${portalId}">
  <input type="hidden" name="action" value="${action}"><input type="hidden" name="target" value="${target}">
  ${userId ? html`<input type="hidden" name="user" value="${userId}">` : ''}
  <button type="submit" class="${tone}">${label}</button></form>`;
}

export function seenTable(v: View, rows: readonly SeenRow[], keys: readonly string[], headers: readonly string[]): Html {
  if (!rows.length) return html`<p class="muted">Nothing in this period.</p>`;
  return html`<table class="data"><thead><tr>${headers.map((h) => html`<th>${h}</th>`)}<th class="num">Events</th><th class="num">Failures</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>
  ${rows.map((r) => html`<tr>${keys.map((k) => html`<td>${k === 'ip' ? html`<a href="${ipHref(v, r.keys[k])}"><code>${r.keys[k]}</code></a>` : r.keys[k] || html`<span class="muted">–</span>`}</td>`)}
  <td class="num">${count(r.events)}</td><td class="num">${count(r.failures)}</td><td class="time">${when(v, r.first)}</td><td class="time">${when(v, r.last)}</td></tr>`)}
  </tbody></table>`;
}

