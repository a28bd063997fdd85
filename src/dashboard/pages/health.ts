/** Archive health: per portal, the coverage ledger, gaps, last sync, retention and purge risk, quarantine. */
import { health } from '../data/health.js';
import { count, when } from '../format.js';
import { html, type Html } from '../html.js';
import { page } from '../layout.js';
import type { View } from '../view.js';
import type { PageDeps } from './overview.js';

export async function healthPage(deps: PageDeps, v: View): Promise<Html> {
  const portals = await health(deps.store, v.portalIds, v.now);
  const t = (iso: string | null) => (iso ? when(v, Date.parse(iso)) : '–');
  const body = portals.map(
    (p) => html`<section class="panel wide health">
  <h2>${p.portal.name || p.portal.url}${p.portal.name ? html` <span class="muted">${p.portal.url}</span>` : ''}</h2>
  ${p.status.warning ? html`<p class="notice warn">${p.status.warning}</p>` : html`<p class="notice ok">Up to date: nothing at risk.</p>`}
  <dl class="facts">
    <dt>Events archived</dt><dd>${count(p.status.events)}</dd>
    <dt>Oldest / newest</dt><dd>${t(p.status.oldest)} → ${t(p.status.newest)}</dd>
    <dt>Proven complete</dt><dd>${t(p.status.coveredFrom)} → ${t(p.status.coveredTo)}</dd>
    <dt>Gaps</dt><dd>${p.status.gaps.length ? p.status.gaps.map((g) => html`<div>${t(g.from)} → ${t(g.to)}</div>`) : 'none'}</dd>
    <dt>Last sync</dt><dd>${p.status.lastSync ? html`${t(p.status.lastSync)} <span class="badge st-${p.status.lastSyncStatus}">${p.status.lastSyncStatus}</span>` : 'never'}</dd>
    <dt>Retention</dt><dd>${p.status.retentionDays ? `${p.status.retentionDays} days` : 'unknown'}${p.status.audit === false ? ' (no audit feature: only the 20 newest events are reachable)' : ''}</dd>
    <dt>Portal purges next</dt><dd>${t(p.status.purgeAt)}</dd>
    <dt>Quarantined</dt><dd>${count(p.status.quarantined)}${p.status.futureDated ? html` · future-dated ${count(p.status.futureDated)}` : ''}</dd>
  </dl>
  <h3>Coverage ledger</h3>
  <table class="data"><thead><tr><th>From</th><th>To</th><th>Kind</th><th>Run</th><th>Note</th></tr></thead><tbody>
  ${p.ledger.map((c) => html`<tr><td class="time">${when(v, c.from)}</td><td class="time">${when(v, c.to)}</td><td><span class="badge cov-${c.kind}">${c.kind}</span></td><td>${c.runId ?? ''}</td><td>${c.note ?? ''}</td></tr>`)}
  </tbody></table>
  <h3>Sync runs</h3>
  <table class="data"><thead><tr><th>Started</th><th>Mode</th><th>Status</th><th class="num">Seen</th><th class="num">Added</th><th class="num">Requests</th><th>Error</th></tr></thead><tbody>
  ${p.runs.map((r) => html`<tr><td class="time">${when(v, r.startedAt)}</td><td>${r.mode}</td><td><span class="badge st-${r.status}">${r.status}</span></td><td class="num">${count(r.eventsSeen)}</td><td class="num">${count(r.eventsAdded)}</td><td class="num">${count(r.requests)}</td><td>${r.error ?? ''}</td></tr>`)}
  </tbody></table>
</section>`,
  );
  return page(v, { title: 'Archive health', section: '/health' }, html`${body}`);
}
