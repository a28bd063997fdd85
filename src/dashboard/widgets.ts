/**
 * The building blocks of the pages: uPlot chart islands (their data in a `data-chart`
 * attribute, drawn by dashboard.js), tiles, the weekday × hour heat map, and bar cells.
 * Nothing here writes a `style` attribute: the Content-Security-Policy forbids them, so sizes
 * and colours come from classes and `<meter>` elements.
 */
import { type Html, html, jsonAttr } from './html.js';
import { count } from './format.js';
import type { Series } from './data/overview.js';
import type { View } from './view.js';

export const KIND_COLORS: Record<string, string> = {
  success: '#2f9e6e',
  failure: '#d64545',
  lockout: '#8e3bbd',
  logout: '#6c8ebf',
  users: '#3a6ea5',
  ips: '#c27c0e',
};

export interface ChartSeries {
  label: string;
  key: string;
}

/** Bucket starts as the chart's x values: seconds of the zone's wall clock (the chart draws them as UTC). */
function xs(v: View, series: Series): number[] {
  return series.starts.map((t) => Math.round(v.clock.wallClock(t) / 1000));
}

/** A time-series chart: `stacked` areas (sign-ins by kind) or lines. */
export function chart(v: View, series: Series, lines: readonly ChartSeries[], opts: { stacked?: boolean; label: string; height?: number }): Html {
  const spec = {
    type: opts.stacked ? 'stack' : 'line',
    height: opts.height ?? 260,
    bucket: series.bucketMs / 1000,
    x: xs(v, series),
    series: lines.map((l) => ({ label: l.label, color: KIND_COLORS[l.key] ?? '#555', values: series.values[l.key] })),
  };
  return html`<figure class="chart" role="img" aria-label="${opts.label}" data-chart="${jsonAttr(spec)}"><noscript>Charts need JavaScript.</noscript></figure>`;
}

export function tile(v: View, label: string, value: number, series: Series, key: string, href?: string): Html {
  const spec = { type: 'spark', height: 36, x: xs(v, series), series: [{ label, color: KIND_COLORS[key] ?? '#555', values: series.values[key] }] };
  const inner = html`<span class="tile-label">${label}</span><span class="tile-value">${count(value)}</span><span class="spark" data-chart="${jsonAttr(spec)}"></span>`;
  return href ? html`<a class="tile tile-${key}" href="${href}">${inner}</a>` : html`<div class="tile tile-${key}">${inner}</div>`;
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];

/** A weekday × hour grid; each cell's shade is one of ten classes (`h0`–`h9`). */
export function heatMap(grid: number[][], label: string, tone: 'bad' | 'ok' = 'bad'): Html {
  const max = Math.max(1, ...grid.flat());
  const total = grid.flat().reduce((a, b) => a + b, 0);
  const busiest = grid.flatMap((row, d) => row.map((n, h) => ({ n, d, h }))).sort((a, b) => b.n - a.n).slice(0, 3).filter((c) => c.n > 0);
  const shade = (n: number) => (n === 0 ? 0 : Math.min(9, 1 + Math.floor((n / max) * 8.999)));
  return html`<div class="heat heat-${tone}" role="table" aria-label="${label}">
  <div class="heat-row heat-head" role="row"><span></span>${Array.from({ length: 24 }, (_, h) => html`<span role="columnheader">${h % 3 === 0 ? String(h).padStart(2, '0') : ''}</span>`)}</div>
  ${grid.map((row, d) => html`<div class="heat-row" role="row"><span role="rowheader">${DAYS[d]}</span>${row.map((n, h) => html`<span class="cell h${shade(n)}" role="cell" title="${DAYS[d]} ${String(h).padStart(2, '0')}:00 · ${count(n)}"></span>`)}</div>`)}
</div>
<p class="heat-note muted">${count(total)} in all${busiest.length ? html` · busiest: ${busiest.map((c, i) => html`${i ? ', ' : ''}${DAYS[c.d]} ${String(c.h).padStart(2, '0')}:00 (${count(c.n)})`)}` : ''}</p>`;
}

/** A count with a bar behind it, for top-N tables. */
export function bar(n: number, max: number, tone = ''): Html {
  return html`<td class="num barcell"><meter class="${tone}" min="0" max="${Math.max(1, max)}" value="${n}"></meter><span>${count(n)}</span></td>`;
}
