/** IP: who used the address, when, with what outcome, and from which countries over time. */
import { UsageError } from '../../errors/index.js';
import { isAnonymousId } from '../../model/ids.js';
import { seriesOf } from '../data/overview.js';
import type { Scope } from '../data/scope.js';
import { seen } from '../data/seen.js';
import { count, link, userHref, when } from '../format.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import type { View } from '../view.js';
import { chart } from '../widgets.js';
import { type PageDeps, periodStart } from './overview.js';
import { findingsTable } from './findings.js';
import { seenTable } from './user.js';

export async function ipPage(deps: PageDeps, v: View): Promise<Html> {
  const ip = v.url.searchParams.get('ip')?.trim() ?? '';
  if (!ip || ip.length > 100) throw new UsageError('the address page needs ?ip= with an address');
  const scope: Scope = { portalIds: v.portalIds, filter: { since: v.since, until: v.until }, ip };
  const from = await periodStart(deps, v);
  const [series, users, places, findings] = await Promise.all([
    seriesOf(deps.store, scope, from, v.until, 90),
    seen(deps.store, scope, ['portal_id', 'user_id'], 50, { named: true }),
    seen(deps.store, scope, ['country', 'city'], 50),
    deps.findings?.list({ portalIds: v.portalIds, groups: [ip], limit: 50 }),
  ]);
  const sum = (k: string) => series.values[k].reduce((a, b) => a + b, 0);
  const body = html`
<section class="tiles small">
  <div class="tile tile-success"><span class="tile-label">Successes</span><span class="tile-value">${count(sum('success'))}</span></div>
  <div class="tile tile-failure"><span class="tile-label">Failures</span><span class="tile-value">${count(sum('failure'))}</span></div>
  <div class="tile tile-lockout"><span class="tile-label">Lock-outs</span><span class="tile-value">${count(sum('lockout'))}</span></div>
  <a class="tile" href="${link(v, '/events', { ip })}"><span class="tile-label">Events</span><span class="tile-value">all →</span></a>
</section>
<section class="panel wide"><h2>Outcomes over time</h2>
  ${chart(v, series, [{ label: 'success', key: 'success' }, { label: 'failure', key: 'failure' }], { stacked: true, label: `Sign-ins from ${ip} over time`, height: 200 })}
</section>
<div class="grid2">
<section class="panel"><h2>Who used it</h2>
  ${users.length ? html`<table class="data"><thead><tr><th>User</th><th class="num">Successes</th><th class="num">Failures</th><th>First seen</th><th>Last seen</th></tr></thead><tbody>
  ${users.map((r) => {
    const anonymous = isAnonymousId(r.keys.user_id);
    return html`<tr><td>${anonymous ? html`<span class="muted">anonymous (failed logins)</span>` : html`<a href="${userHref(v, Number(r.keys.portal_id), r.keys.user_id)}">${r.name}</a>`}</td>
    <td class="num">${count(r.successes)}</td><td class="num">${count(r.failures)}</td><td class="time">${when(v, r.first)}</td><td class="time">${when(v, r.last)}</td></tr>`;
  })}
  </tbody></table>` : html`<p class="muted">No events from this address in this period.</p>`}
</section>
<section class="panel"><h2>Places over time</h2>${seenTable(v, places, ['country', 'city'], ['Country', 'City'])}</section>
</div>
<section class="panel wide"><h2>Findings</h2>${findings ? findingsTable(v, findings) : html`<p class="muted">No findings store in this archive yet.</p>`}</section>`;
  return page(v, { title: `Address ${ip}`, section: '', keep: { ip } }, body);
}
