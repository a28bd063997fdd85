/** The page shell: head (vendored assets only), navigation, the portal / zone / period picker. */
import { type Html, html } from './html.js';
import { PERIODS, periodStartNote, type View, ZONES, zoneName } from './view.js';
import { link } from './format.js';

const NAV: ReadonlyArray<readonly [string, string]> = [
  ['/', 'Overview'],
  ['/events', 'Events'],
  ['/findings', 'Findings'],
  ['/health', 'Archive health'],
];

export interface PageOptions {
  title: string;
  /** The nav entry to highlight. */
  section: string;
  /** Extra parameters the picker keeps (e.g. the user of a User page). */
  keep?: Record<string, string>;
}

export function page(v: View | undefined, opts: PageOptions, body: Html): Html {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${opts.title} · docspace-logins</title>
<link rel="icon" href="/assets/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/uPlot.min.css">
<link rel="stylesheet" href="/assets/dashboard.css">
<script src="/assets/uPlot.iife.min.js" defer></script>
<script src="/assets/dashboard.js" defer></script>
</head>
<body>
<header class="top">
  <a class="brand" href="${v ? link(v, '/') : '/'}">docspace-logins</a>
  <nav>${NAV.map(([path, label]) => html`<a href="${v ? link(v, path) : path}"${opts.section === path ? html` class="active" aria-current="page"` : ''}>${label}</a>`)}</nav>
  ${v ? picker(v, opts) : ''}
</header>
<main>
<h1>${opts.title}</h1>
${body}
</main>
<footer>${v ? html`Times in ${zoneName(v)}${v.tz === 'portal' ? ' (each event at its portal’s offset)' : ''}.` : ''} Served by docspace-logins from the local archive.</footer>
</body>
</html>`;
}

function picker(v: View, opts: PageOptions): Html {
  const zones = ZONES.includes(v.tz) ? ZONES : [...ZONES, v.tz];
  return html`<form class="picker" method="get" action="${v.url.pathname}" data-autosubmit>
  ${Object.entries(opts.keep ?? {}).map(([k, val]) => html`<input type="hidden" name="${k}" value="${val}">`)}
  <label>Portal <select name="portal">
    ${v.portals.length > 1 ? html`<option value="all"${v.portalParam === 'all' ? html` selected` : ''}>All portals</option>` : ''}
    ${v.portals.map((p) => html`<option value="${p.id}"${v.portalParam === String(p.id) ? html` selected` : ''}>${p.name || p.url}</option>`)}
  </select></label>
  <label>Zone <select name="tz">${zones.map((z) => html`<option value="${z}"${v.tz === z ? html` selected` : ''}>${z}</option>`)}</select></label>
  <label>Period <select name="period">${PERIODS.map(([p, label]) => html`<option value="${p}"${v.period === p ? html` selected` : ''}>${label}</option>`)}${PERIODS.some(([p]) => p === v.period) ? '' : html`<option value="${v.period}" selected>${v.period}</option>`}</select></label>
  ${periodNote(v)}
  <button type="submit">Apply</button>
</form>`;
}

/** The exact start of a day-aligned period, next to the picker. */
function periodNote(v: View): Html | string {
  const note = periodStartNote(v);
  return note ? html`<span class="muted period-start">${note}</span>` : '';
}

/** A one-line message page (a mistake in the address, a missing archive). */
export function messagePage(v: View | undefined, title: string, message: string): Html {
  return page(v, { title, section: '' }, html`<p class="notice">${message}</p>`);
}
