/** Findings: the queue by severity, with evidence, and acknowledge / resolve (POST with the session's CSRF token). */
import { isIP } from 'node:net';
import { isGuid } from '../../model/ids.js';
import { type DashboardFinding, FINDING_STATUSES, type FindingStatus } from '../data/findings.js';
import { PortalPeople } from '../data/people.js';
import { ipHref, link, userHref, when } from '../format.js';
import { type Html, html } from '../html.js';
import { page } from '../layout.js';
import type { View } from '../view.js';
import type { PageDeps } from './overview.js';

const SEVERITY_ORDER = ['critical', 'high', 'medium', 'low', 'info'];

export interface FindingsTableOptions {
  compact?: boolean;
  csrf?: string;
  /** Names for findings about a member; without it (or for someone not in it) the id is shown. */
  people?: PortalPeople;
}

export function findingsTable(v: View, rows: readonly DashboardFinding[], opts: FindingsTableOptions = {}): Html {
  if (!rows.length) return html`<p class="muted">No findings.</p>`;
  return html`<table class="data findings"><thead><tr><th>Severity</th><th>Finding</th><th>About</th><th>Last seen</th><th>Status</th>${opts.csrf ? html`<th></th>` : ''}</tr></thead><tbody>
  ${rows.map(
    (f) => html`<tr>
      <td><span class="badge sev-${f.severity}">${f.severity}</span></td>
      <td><strong>${f.title ?? f.rule}</strong><div class="muted">${f.summary ?? ''}</div>
        ${!opts.compact && f.evidence !== undefined ? html`<details><summary>Evidence</summary><pre>${JSON.stringify(f.evidence, null, 2)}</pre></details>` : ''}</td>
      <td>${about(v, f, opts.people)}</td>
      <td class="time">${when(v, f.lastSeen ?? f.updatedAt)}</td>
      <td><span class="badge st-${f.status}">${f.status}</span></td>
      ${opts.csrf ? html`<td class="actions">${statusButtons(f, opts.csrf)}</td>` : ''}
    </tr>`,
  )}
  </tbody></table>`;
}

/** What a finding's group is: a member (linked, by name), an address (linked), or a typed login. */
function about(v: View, f: DashboardFinding, people?: PortalPeople): Html {
  if (isGuid(f.group)) {
    const id = f.group.toLowerCase();
    const person = people?.person(f.portalId, id);
    const name = person?.displayName || person?.email || person?.userName;
    return html`<a href="${userHref(v, f.portalId, id)}">${name ?? html`<code>${id}</code>`}</a>`;
  }
  if (isIP(f.group)) return html`<a href="${ipHref(v, f.group)}"><code>${f.group}</code></a>`;
  return f.group === '*' ? html`<span class="muted">portal-wide</span>` : html`<code>${f.group}</code>`;
}

function statusButtons(f: DashboardFinding, csrf: string): Html {
  const to: Array<[FindingStatus, string]> = [];
  if (f.status === 'open') to.push(['acknowledged', 'Acknowledge']);
  if (f.status !== 'resolved') to.push(['resolved', 'Resolve']);
  if (f.status === 'resolved' || f.status === 'acknowledged') to.push(['open', 'Reopen']);
  return html`${to.map(
    ([status, label]) => html`<form method="post" action="/findings/status" class="inline">
      <input type="hidden" name="csrf" value="${csrf}"><input type="hidden" name="id" value="${f.id}">
      <input type="hidden" name="status" value="${status}"><button type="submit">${label}</button></form>`,
  )}`;
}

export async function findingsPage(deps: PageDeps, v: View, csrf: string): Promise<Html> {
  const asked = v.url.searchParams.get('status') ?? 'open';
  const status = FINDING_STATUSES.includes(asked as FindingStatus) ? (asked as FindingStatus) : undefined;
  const tabs = html`<nav class="tabs">${[...FINDING_STATUSES, 'all'].map(
    (s) => html`<a href="${link(v, '/findings', { status: s })}"${(status ?? 'all') === s ? html` class="active"` : ''}>${s}</a>`,
  )}</nav>`;
  if (!deps.findings) {
    return page(v, { title: 'Findings', section: '/findings' }, html`<p class="notice">This archive has no findings store yet: findings appear here once detection has run over it.</p>`);
  }
  const [rows, people] = await Promise.all([
    deps.findings.list({ portalIds: v.portalIds, status, limit: 500 }),
    PortalPeople.load(deps.store, v.portalIds),
  ]);
  rows.sort((a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || (b.lastSeen ?? 0) - (a.lastSeen ?? 0));
  return page(v, { title: 'Findings', section: '/findings', keep: { status: status ?? 'all' } }, html`${tabs}<section class="panel wide">${findingsTable(v, rows, { csrf, people })}</section>`);
}
