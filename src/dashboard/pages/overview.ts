/** Overview: tiles with sparklines, sign-ins by kind, failures by weekday × hour, top targets / IPs / places, latest findings. */
import type { ArchiveStore } from '../../store/index.js';
import type { FindingsSource } from '../data/findings.js';
import type { CountryRow, IpRow, TargetRow } from '../data/overview.js';
import { archiveSpan, overviewOf } from '../data/overview-rollups.js';
import { PortalPeople } from '../data/people.js';
import type { Scope } from '../data/scope.js';
import { count, ipHref, link, percent, shownLogin, userHref, when } from '../format.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import type { View } from '../view.js';
import { bar, chart, heatMap, tile } from '../widgets.js';
import { findingsTable } from './findings.js';

export interface PageDeps {
  store: ArchiveStore;
  findings?: FindingsSource;
  secret?: string;
}

export function periodScope(v: View): Scope {
  return { portalIds: v.portalIds, filter: { since: v.since, until: v.until } };
}

/** Where the period starts for charts: `all` starts at the oldest archived event in scope. */
export async function periodStart(deps: PageDeps, v: View): Promise<number> {
  if (v.since !== undefined) return v.since;
  const { oldest } = await archiveSpan(deps.store, v.portalIds);
  return Math.min(v.now, oldest ?? v.now);
}

export async function overviewPage(deps: PageDeps, v: View): Promise<Html> {
  const scope = periodScope(v);
  const from = await periodStart(deps, v);
  const [o, people, findings] = await Promise.all([
    overviewOf(deps.store, scope, v.clock, from, v.until),
    PortalPeople.load(deps.store, v.portalIds),
    deps.findings?.list({ portalIds: v.portalIds, limit: 8 }),
  ]);
  const openFindings = deps.findings ? (await deps.findings.list({ portalIds: v.portalIds, status: 'open' })).length : undefined;
  const t = o.totals;
  const ev = (params: Record<string, string>) => link(v, '/events', params);
  const body = html`
<section class="tiles">
  ${tile(v, 'Successful sign-ins', t.success, o.series, 'success', ev({ kind: 'success' }))}
  ${tile(v, 'Failed sign-ins', t.failure, o.series, 'failure', ev({ kind: 'failure' }))}
  ${tile(v, 'Lock-outs', t.lockout, o.series, 'lockout', ev({ action: '1023' }))}
  ${tile(v, 'Users signed in', t.users, o.active, 'users')}
  ${tile(v, 'Addresses', t.ips, o.active, 'ips')}
  ${openFindings === undefined ? '' : html`<a class="tile tile-findings" href="${link(v, '/findings')}"><span class="tile-label">Open findings</span><span class="tile-value">${count(openFindings)}</span></a>`}
</section>
<section class="panel wide">
  <h2>Sign-ins by kind</h2>
  ${chart(v, o.series, [
    { label: 'success', key: 'success' },
    { label: 'failure', key: 'failure' },
    { label: 'logout', key: 'logout' },
  ], { stacked: true, label: 'Sign-ins by kind over time' })}
</section>
<div class="grid2">
<section class="panel">
  <h2>Failures by weekday and hour</h2>
  ${heatMap(o.heat, 'Failed sign-ins by weekday and hour')}
</section>
<section class="panel">
  <h2>Top targets of failures</h2>
  ${targetsTable(deps, v, o.targets, people)}
</section>
<section class="panel">
  <h2>Top addresses</h2>
  ${ipsTable(v, o.ips)}
</section>
<section class="panel">
  <h2>Countries and cities</h2>
  ${placesTable(v, o.places)}
</section>
</div>
<section class="panel wide">
  <h2>Latest findings</h2>
  ${findings ? findingsTable(v, findings, { compact: true, people }) : html`<p class="muted">No findings store in this archive yet: run detection to fill it.</p>`}
</section>`;
  return page(v, { title: 'Overview', section: '/' }, body);
}

function targetsTable(deps: PageDeps, v: View, rows: readonly TargetRow[], people: PortalPeople): Html {
  if (!rows.length) return html`<p class="muted">No failed sign-ins in this period.</p>`;
  const max = rows[0].failures;
  return html`<table class="data"><thead><tr><th>Account</th><th class="num">Failures</th><th>Last</th></tr></thead><tbody>
  ${rows.map((r) => {
    const owner = r.anonymous ? people.ownerOf(r.portalId, r.login) : people.person(r.portalId, r.userId);
    const who = owner
      ? html`<a href="${userHref(v, r.portalId, owner.id)}">${owner.displayName || owner.email || owner.id}</a>${r.anonymous ? html` <span class="muted">typed</span> ${shownLogin(r.login, deps.secret)}` : ''}`
      : r.anonymous
        ? html`${shownLogin(r.login, deps.secret)} <span class="muted">no such member</span>`
        : html`<a href="${userHref(v, r.portalId, r.userId)}">${r.name || r.userId}</a>`;
    return html`<tr><td>${who}</td>${bar(r.failures, max, 'bad')}<td class="time">${when(v, r.last)}</td></tr>`;
  })}
  </tbody></table>`;
}

function ipsTable(v: View, rows: readonly IpRow[]): Html {
  if (!rows.length) return html`<p class="muted">No sign-ins in this period.</p>`;
  const max = rows[0].events;
  return html`<table class="data"><thead><tr><th>Address</th><th class="num">Events</th><th class="num">Failures</th><th class="num">Users</th></tr></thead><tbody>
  ${rows.map((r) => html`<tr><td><a href="${ipHref(v, r.ip)}"><code>${r.ip}</code></a></td>${bar(r.events, max)}<td class="num">${count(r.failures)}</td><td class="num">${count(r.users)}</td></tr>`)}
  </tbody></table>`;
}

export function placesTable(v: View, rows: readonly CountryRow[]): Html {
  if (!rows.length) return html`<p class="muted">No sign-ins in this period.</p>`;
  const max = rows[0].events;
  const rate = (r: { successes: number; failures: number }) => percent(r.successes, r.successes + r.failures);
  return html`<table class="data places"><thead><tr><th>Country / city</th><th class="num">Events</th><th class="num">Failures</th><th class="num">Success rate</th></tr></thead><tbody>
  ${rows.map(
    (c) => html`<tr class="country"><td><a href="${link(v, '/events', { country: c.country })}">${c.country || '(unknown)'}</a></td>${bar(c.events, max)}<td class="num">${count(c.failures)}</td><td class="num">${rate(c)}</td></tr>
    ${c.cities.map((city) => html`<tr class="city"><td>${city.city || '(unknown)'}</td><td class="num">${count(city.events)}</td><td class="num">${count(city.failures)}</td><td class="num">${rate(city)}</td></tr>`)}`,
  )}
  </tbody></table>`;
}
