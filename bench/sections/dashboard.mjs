// The dashboard over the large archive: first contentful paint of the Overview at its default period
// (what an admin sees first: no query string, "Last 30 days") and over the whole history, the Events
// page filtered to one user, and that User page, in Debian's Chromium.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import { median, ms } from '../lib/format.mjs';
import { CLI } from '../lib/process.mjs';
import { bigArchive } from './archive.mjs';
import { bareStarts } from './cold-start.mjs';

/** Bare starts before the section: their median is its unit. */
const UNIT_RUNS = 7;

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const ROWS = ['dashboard.overview.default', 'dashboard.overview', 'dashboard.events', 'dashboard.user'];

/** `docspace-logins serve` on the archive, in a process of its own, on a free loopback port. */
async function serve(db) {
  const child = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.setEncoding('utf8');
  const url = await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      text += d;
      const found = /Dashboard: (\S+)/.exec(text)?.[1];
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`serve exited with ${code}`)));
  });
  return {
    url: url.replace(/\/$/, ''),
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/** The member with most events of their own, from the rollups (the archive has no directory). */
function busiestUser(db) {
  const d = new Database(db, { readonly: true });
  try {
    return d.prepare('SELECT portal_id, user_id, sum(events) AS n FROM rollup_user_days GROUP BY portal_id, user_id ORDER BY n DESC LIMIT 1').get();
  } finally {
    d.close();
  }
}

/** First contentful paint of `url` in a fresh page (no cache shared with earlier loads), in ms. */
async function fcp(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  try {
    const page = await context.newPage();
    const res = await page.goto(url, { waitUntil: 'load', timeout: 120_000 });
    if (!res || res.status() !== 200) throw new Error(`${url} answered ${res?.status()}`);
    // The paint entry can be recorded after `load`: wait for it (buffered, so an earlier one counts).
    const paint = await page.evaluate(
      () =>
        new Promise((resolve) => {
          new globalThis.PerformanceObserver((list) => {
            const entry = list.getEntriesByName('first-contentful-paint')[0];
            if (entry) resolve(entry.startTime);
          }).observe({ type: 'paint', buffered: true });
          setTimeout(() => resolve(undefined), 30_000);
        }),
    );
    if (!(paint > 0)) throw new Error(`${url}: no first-contentful-paint entry`);
    return paint;
  } finally {
    await context.close();
  }
}

export async function dashboardPages(ctx) {
  if (!CHROMIUM) {
    for (const id of ROWS) ctx.results.skip(id, 'no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)');
    return;
  }
  const big = await bigArchive(ctx);
  // The section's unit, before the server and the browser start: bare starts taken between page
  // loads ran beside Chromium tearing down the last page's context (157-216 ms against 110).
  const unit = median(await bareStarts(UNIT_RUNS));
  const { chromium } = await import('playwright-core');
  const user = busiestUser(big);
  const server = await serve(big);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  try {
    const pages = {
      'dashboard.overview.default': `${server.url}/`,
      'dashboard.overview': `${server.url}/?period=all`,
      'dashboard.events': `${server.url}/events?portal=${user.portal_id}&period=all&user=${user.user_id}`,
      'dashboard.user': `${server.url}/user?portal=${user.portal_id}&period=all&id=${user.user_id}`,
    };
    for (const [id, url] of Object.entries(pages)) {
      ctx.log(`${id}: first contentful paint...`);
      await fcp(browser, url);
      const runs = [];
      for (let i = 0; i < Math.max(3, ctx.size.repeats); i++) runs.push(await fcp(browser, url));
      const t = median(runs);
      ctx.results.record(id, { measured: `FCP ${ms(t)}`, baseline: `unit ${ms(unit)}`, ratio: t / unit });
    }
    // The same 30 days rolling with now (`720h`, an hour-sized period): answered from the events, as
    // the default was before it started at a UTC midnight. One load, for the note only.
    ctx.log('dashboard: the Overview over a rolling 30 days (events), once...');
    await fcp(browser, `${server.url}/?period=720h`);
    const rolling = await fcp(browser, `${server.url}/?period=720h`);
    ctx.results.note('dashboard', `For comparison in the same run, the Overview over a rolling 30 days (\`period=720h\`, from the events, as the default was before it began at a UTC midnight) painted in ${ms(rolling)}.`);
    ctx.results.note('dashboard', `The User and Events pages are those of the member with most events (${user.n.toLocaleString('en-US')}).`);
  } finally {
    await browser.close();
    await server.close();
  }
}
