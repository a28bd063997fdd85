/**
 * The vendored assets, served by the tool itself (no CDN, works offline): uPlot's browser build
 * and style sheet from the `uplot` package, and our own script and style sheet. Read once.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { DASHBOARD_JS } from './client/island.js';
import { DASHBOARD_CSS } from './client/styles.js';

export interface Asset {
  type: string;
  body: string;
}

const FAVICON = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 16 16"><rect width="16" height="16" rx="3" fill="#1f2a3c"/><path d="M3 12V8h2v4zm4 0V4h2v8zm4 0V6h2v6z" fill="#7fb0ff"/></svg>`;

let cache: Map<string, Asset> | undefined;

function vendored(path: string): string {
  const require = createRequire(import.meta.url);
  return readFileSync(require.resolve(path), 'utf8');
}

export function assets(): Map<string, Asset> {
  cache ??= new Map<string, Asset>([
    ['/assets/uPlot.iife.min.js', { type: 'text/javascript; charset=utf-8', body: vendored('uplot/dist/uPlot.iife.min.js') }],
    ['/assets/uPlot.min.css', { type: 'text/css; charset=utf-8', body: vendored('uplot/dist/uPlot.min.css') }],
    ['/assets/dashboard.js', { type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS }],
    ['/assets/dashboard.css', { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS }],
    ['/assets/favicon.svg', { type: 'image/svg+xml', body: FAVICON }],
  ]);
  return cache;
}
