/** Events: the CLI's filters, keyset paging through any number of rows, links to users and addresses, CSV/XLSX export. */
import { ACTIONS } from '../../model/actions.js';
import { type ArchivedEvent, cursorText, eventPage, parseCursor } from '../data/events.js';
import { FILTER_PARAMS, type FilterParams, filterParams, filterScope } from '../data/filters.js';
import { PortalPeople } from '../data/people.js';
import { ipHref, kindBadge, link, shownLogin, userHref, when } from '../format.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import type { View } from '../view.js';
import type { PageDeps } from './overview.js';

export const PAGE_SIZE = 50;

export async function eventsPage(deps: PageDeps, v: View): Promise<Html> {
  const params = filterParams(v.url);
  const scope = await filterScope(deps.store, v, params);
  const after = parseCursor(v.url.searchParams.get('after'));
  const [result, people] = await Promise.all([
    eventPage(deps.store, scope, PAGE_SIZE, after),
    PortalPeople.load(deps.store, v.portalIds),
  ]);
  const several = v.portalIds.length > 1;
  const portalName = new Map(v.portals.map((p) => [p.id, p.name || new URL(p.url).host]));
  const body = html`
${filterForm(v, params)}
<p class="exports">Export this filter:
  <a href="${link(v, '/events/export.csv', params)}" download>CSV</a> ·
  <a href="${link(v, '/events/export.xlsx', params)}" download>XLSX</a></p>
<section class="panel wide">
<table class="data events"><thead><tr><th>Time</th>${several ? html`<th>Portal</th>` : ''}<th>User</th><th>Typed login</th><th>Kind</th><th>Action</th><th>Address</th><th>Place</th><th>Device</th></tr></thead>
<tbody>
${result.rows.length ? result.rows.map((r) => eventRow(deps, v, r, people, several ? (portalName.get(r.portalId) ?? '') : undefined)) : html`<tr><td colspan="9" class="muted">No events match.</td></tr>`}
</tbody></table>
<nav class="pager">
  ${after ? html`<a href="${link(v, '/events', params)}">⇤ Newest</a>` : ''}
  ${result.next ? html`<a rel="next" href="${link(v, '/events', { ...params, after: cursorText(result.next) })}">Older →</a>` : html`<span class="muted">End of the history for this filter.</span>`}
</nav>
</section>`;
  return page(v, { title: 'Events', section: '/events', keep: params as Record<string, string> }, body);
}

function eventRow(deps: PageDeps, v: View, r: ArchivedEvent, people: PortalPeople, portal?: string): Html {
  const e = r.event;
  const owner = e.anonymous ? people.ownerOf(r.portalId, e.login) : undefined;
  const user = e.anonymous
    ? owner
      ? html`<a href="${userHref(v, r.portalId, owner.id)}">${owner.displayName}</a>`
      : html`<span class="muted">anonymous</span>`
    : html`<a href="${userHref(v, r.portalId, e.userId)}">${e.user || e.userId}</a>`;
  return html`<tr class="k-${e.kind}">
  <td class="time">${when(v, r.time, r.offsetMinutes)}</td>${portal === undefined ? '' : html`<td>${portal}</td>`}
  <td>${user}</td>
  <td>${e.login === null ? '' : shownLogin(e.login, deps.secret)}</td>
  <td>${kindBadge(e.kind)}</td>
  <td>${e.action}</td>
  <td><a href="${ipHref(v, e.ip)}"><code>${e.ip}</code></a></td>
  <td>${[e.country, e.city].filter(Boolean).join(' · ')}</td>
  <td class="muted">${[e.browser, e.platform].filter(Boolean).join(' · ')}</td>
</tr>`;
}

function filterForm(v: View, p: FilterParams): Html {
  const hidden = { portal: v.portalParam, tz: v.tz, period: v.period };
  const sel = (cur: string | undefined, value: string) => (cur === value ? html` selected` : '');
  return html`<form class="filters" method="get" action="/events">
  ${Object.entries(hidden).map(([k, val]) => html`<input type="hidden" name="${k}" value="${val}">`)}
  <label>Since <input name="since" value="${p.since ?? ''}" placeholder="${v.period === 'all' ? 'all' : v.period}" size="10"></label>
  <label>Until <input name="until" value="${p.until ?? ''}" placeholder="now" size="10"></label>
  <label>User <input name="user" value="${p.user ?? ''}" placeholder="e-mail, name or id" size="18"></label>
  <label>Kind <select name="kind"><option value="">any</option>${['success', 'failure', 'logout'].map((k) => html`<option${sel(p.kind, k)}>${k}</option>`)}</select></label>
  <label>Action <select name="action"><option value="">any</option>${[...ACTIONS.values()].map((a) => html`<option value="${a.code}"${sel(p.action, String(a.code))}>${a.code} ${a.label}</option>`)}</select></label>
  <label>Address <input name="ip" value="${p.ip ?? ''}" size="14"></label>
  <label>Country <input name="country" value="${p.country ?? ''}" size="12"></label>
  <button type="submit">Filter</button>
  ${FILTER_PARAMS.some((k) => p[k]) ? html`<a href="${link(v, '/events')}">Clear</a>` : ''}
</form>`;
}
