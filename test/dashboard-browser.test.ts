/**
 * The dashboard in a real browser: Debian's Chromium driven by playwright-core (never a
 * downloaded browser), against `serve`'s own start-up code over a seeded archive. Every page
 * loads with no console error and no failed request, charts draw on canvases of non-zero size,
 * filters change the rows, links lead where they say, a `<script>` typed login stays text, and
 * a non-loopback address needs the token, and a finding is acknowledged through its form. The
 * built-in rules run over the archive first, so the finding queue and the finding panels have
 * rows. With DOCSPACE_LOGINS_SCREENSHOTS=1 the same run writes docs/screenshots/*.png for the README.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { Writable } from 'node:stream';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliIo, Reporter } from '../src/cli/io.js';
import { type Serving, startServe } from '../src/cli/commands/serve.js';
import { builtinRules } from '../src/detect/index.js';
import { detectArchive } from '../src/detect/run.js';
import { openStore } from '../src/store/index.js';
import { SCRIPT_LOGIN, type SeededArchive, seededArchive } from './helpers/dashboard.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => p && existsSync(p));
const SHOTS = process.env.DOCSPACE_LOGINS_SCREENSHOTS === '1';
if (!CHROMIUM) console.warn('dashboard-browser tests skipped: no Chromium at /usr/bin/chromium (apt-get install chromium, or set CHROMIUM_PATH)');

const quiet = new Writable({ write: (_c, _e, cb) => cb() });
const io: CliIo = { stdout: quiet, stderr: quiet, env: { ...process.env, DOCSPACE_LOGINS_DB: '' } };
const reporter = new Reporter(io, true);

describe.skipIf(!CHROMIUM)('dashboard in Chromium', () => {
  let archive: SeededArchive;
  let serving: Serving;
  let browser: Browser;

  beforeAll(async () => {
    archive = await seededArchive({ events: 4000, now: Date.now() });
    const writable = await openStore(archive.path);
    try {
      for (const p of await writable.portals()) await detectArchive(writable, { portalId: p.id, rules: builtinRules() });
    } finally {
      await writable.close();
    }
    serving = await startServe({ db: archive.path, port: '0' }, io, reporter);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await serving?.close();
    await archive?.close();
  });

  /** Open `url` in a fresh page and collect everything that went wrong while it loaded. */
  async function visit(url: string): Promise<{ page: Page; problems: string[]; status: number }> {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => problems.push(`failed: ${r.url()}`));
    page.on('response', (r) => {
      if (r.status() >= 400) problems.push(`${r.status()}: ${r.url()}`);
    });
    const res = await page.goto(url, { waitUntil: 'load' });
    await page.waitForFunction("document.querySelectorAll('[data-chart]:not(.drawn)').length === 0");
    return { page, problems, status: res?.status() ?? 0 };
  }

  async function canvasSizes(page: Page): Promise<Array<[number, number]>> {
    return page.$$eval('[data-chart] canvas', (els) =>
      els.map((c) => {
        const canvas = c as unknown as { width: number; height: number };
        return [canvas.width, canvas.height] as [number, number];
      }),
    );
  }

  /** The whole page, or (`fullPage` false) its first screen: the finding queue runs to thousands of pixels. */
  async function shot(page: Page, name: string, fullPage = true) {
    if (!SHOTS) return;
    mkdirSync('docs/screenshots', { recursive: true });
    await page.screenshot({ path: `docs/screenshots/${name}.png`, fullPage });
  }

  it('the overview loads cleanly and draws its charts on canvases of non-zero size', async () => {
    const { page, problems, status } = await visit(serving.url);
    expect(status).toBe(200);
    expect(problems).toEqual([]);
    const sizes = await canvasSizes(page);
    expect(sizes.length).toBeGreaterThanOrEqual(6);
    for (const [w, h] of sizes) expect(w * h).toBeGreaterThan(0);
    await shot(page, 'overview');
    await page.close();
  });

  it('events: a filter changes the rows, and a user link leads to that user page', async () => {
    const { page, problems } = await visit(`${serving.url}events`);
    expect(problems).toEqual([]);
    const kinds = () => page.$$eval('table.events tbody tr', (rows) => rows.map((r) => r.className));
    expect(new Set(await kinds()).size).toBeGreaterThan(1);
    await shot(page, 'events');
    await page.selectOption('select[name=kind]', 'failure');
    await Promise.all([page.waitForURL(/kind=failure/), page.click('form.filters button[type=submit]')]);
    expect(new Set(await kinds())).toEqual(new Set(['k-failure']));
    await page.selectOption('select[name=kind]', 'success');
    await Promise.all([page.waitForURL(/kind=success/), page.click('form.filters button[type=submit]')]);
    const link = page.locator('table.events tbody a[href^="/user?"]').first();
    const name = (await link.textContent())!.trim();
    await Promise.all([page.waitForURL(/\/user\?/), link.click()]);
    expect((await page.textContent('h1'))!.trim()).toBe(name);
    await page.close();
  });

  it('the user and address pages load cleanly, draw their charts, and show no action buttons without --allow-actions', async () => {
    const events = await visit(`${serving.url}events?kind=success`);
    const userHref = await events.page.getAttribute('table.events tbody a[href^="/user?"]', 'href');
    const ipHref = await events.page.getAttribute('table.events tbody a[href^="/ip?"]', 'href');
    await events.page.close();
    const user = await visit(new URL(userHref!, serving.url).href);
    expect(user.problems).toEqual([]);
    for (const [w, h] of await canvasSizes(user.page)) expect(w * h).toBeGreaterThan(0);
    expect(await user.page.locator('button', { hasText: 'Log out' }).count()).toBe(0);
    expect(await user.page.locator('form[action^="/actions"]').count()).toBe(0);
    await shot(user.page, 'user');
    await user.page.close();
    const ip = await visit(new URL(ipHref!, serving.url).href);
    expect(ip.problems).toEqual([]);
    expect((await canvasSizes(ip.page)).length).toBe(1);
    await shot(ip.page, 'ip');
    await ip.page.close();
  });

  it('findings and archive health load cleanly', async () => {
    for (const name of ['findings', 'health']) {
      const { page, problems, status } = await visit(`${serving.url}${name}`);
      expect(status).toBe(200);
      expect(problems).toEqual([]);
      await shot(page, name, name !== 'findings');
      await page.close();
    }
  });

  it('findings: the queue shows the detected findings by severity, and Acknowledge moves one out of the open queue', async () => {
    const { page, problems } = await visit(`${serving.url}findings?period=all`);
    expect(problems).toEqual([]);
    const rows = page.locator('table.findings tbody tr');
    const open = await rows.count();
    expect(open).toBeGreaterThan(0);
    const severities = await page.$$eval('table.findings tbody .badge[class*="sev-"]', (els) => els.map((e) => e.textContent!.trim()));
    const order = ['critical', 'high', 'medium', 'low', 'info'];
    expect(severities.map((s) => order.indexOf(s))).toEqual([...severities.map((s) => order.indexOf(s))].sort((a, b) => a - b));
    expect(await rows.first().locator('details pre').count()).toBe(1);
    // The POST answers 303; the browser then loads the queue again.
    // The form's POST answers 303 and the browser loads the queue again; a refusal ends there.
    const landed = page.waitForResponse((r) => r.request().isNavigationRequest() && r.status() !== 303);
    await rows.first().locator('button', { hasText: 'Acknowledge' }).click();
    const res = await landed;
    expect(`${res.request().method()} ${res.status()}`).toBe('GET 200');
    expect(res.url()).toMatch(/\/findings\?/);
    await page.waitForLoadState('load');
    expect(problems).toEqual([]);
    await expect(page.locator('table.findings tbody tr').count()).resolves.toBe(open - 1);
    await page.goto(`${serving.url}findings?period=all&status=acknowledged`);
    await expect(page.locator('table.findings tbody tr').count()).resolves.toBe(1);
    await page.close();
  });

  it('--allow-actions: "Log out everywhere" asks on a page of its own, then acts through respond', async () => {
    const env = { ...io.env, DOCSPACE_URL: undefined, DOCSPACE_API_KEY: undefined };
    const acting = await startServe({ demo: true, allowActions: true, port: '0' }, { ...io, env }, reporter);
    try {
      const { page, problems } = await visit(`${acting.url}events?period=all&kind=success&user=${encodeURIComponent('anna.weber@demo.docspace.test')}`);
      await Promise.all([page.waitForURL(/\/user\?/), page.locator('table.events tbody a[href^="/user?"]').first().click()]);
      await Promise.all([page.waitForURL(/\/actions\/confirm/), page.locator('button', { hasText: 'Log out everywhere' }).click()]);
      expect(await page.textContent('main')).toContain('end every session of this user');
      await Promise.all([page.waitForURL(/\/actions\/run/), page.locator('button', { hasText: 'Yes, log out everywhere' }).click()]);
      expect(await page.textContent('main')).toContain('its audit trail shows it');
      expect(problems).toEqual([]);
      await page.close();
    } finally {
      await acting.close();
    }
  }, 60_000);

  it('a typed <script> login shows as text and never runs', async () => {
    const { page, problems } = await visit(`${serving.url}events?kind=failure&period=all`);
    expect(problems).toEqual([]);
    await expect(page.getByText(SCRIPT_LOGIN, { exact: true }).count()).resolves.toBeGreaterThan(0);
    expect(await page.evaluate('typeof window.__pwned')).toBe('undefined');
    await page.close();
  });

  it('a non-loopback --host is refused over plain http, and with --allow-insecure-http needs the token', async () => {
    await expect(startServe({ db: archive.path, port: '0', host: '0.0.0.0' }, io, reporter)).rejects.toThrow(/not loopback/);
    const open = await startServe({ db: archive.path, port: '0', host: '0.0.0.0', allowInsecureHttp: true }, io, reporter);
    try {
      expect(open.link).toMatch(/\?token=/);
      const page = await browser.newPage();
      const bare = await page.goto(open.url.replace('0.0.0.0', '127.0.0.1'));
      expect(bare?.status()).toBe(401);
      const withToken = await page.goto(open.link.replace('localhost', '127.0.0.1'));
      expect(withToken?.status()).toBe(200);
      expect(page.url()).not.toContain('token=');
      expect(await page.textContent('h1')).toBe('Overview');
      await page.close();
    } finally {
      await open.close();
    }
  });
});
