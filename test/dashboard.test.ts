/**
 * The dashboard app in memory, through `fetch(Request)` with no socket, over a seeded archive:
 * pages render with the numbers in them, portal values are escaped, filters narrow the rows,
 * changes need POST + the session's CSRF token, actions need --allow-actions, and a token
 * guards every request when one is set.
 */
/* global Request */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/run.js';
import { createDashboardApp, type DashboardApp, type DashboardOptions, respondRunner } from '../src/dashboard/index.js';
import type { DashboardFinding, FindingsSource } from '../src/dashboard/index.js';
import { type Cursor, eventPage } from '../src/dashboard/data/events.js';
import { NOW, PASSWORD_LOGIN, SCRIPT_LOGIN, type SeededArchive, seededArchive } from './helpers/dashboard.js';

let archive: SeededArchive;
beforeAll(async () => {
  archive = await seededArchive();
}, 60_000);
afterAll(async () => archive?.close());

const ORIGIN = 'http://127.0.0.1:8080';
const app = (over: Partial<DashboardOptions> = {}) => createDashboardApp({ store: archive.store, now: () => NOW + 3_600_000, ...over });
async function get(a: DashboardApp, path: string, headers: Record<string, string> = {}) {
  const res = await a.fetch(new Request(ORIGIN + path, { headers }));
  return { res, text: await res.text() };
}
const rows = (page: string) => (page.match(/<tr class="k-/g) ?? []).length;

describe('dashboard pages', () => {
  it('every page answers 200 with a strict Content-Security-Policy and no inline script', async () => {
    const a = app();
    for (const path of ['/', '/events', '/findings', '/health', '/events?period=all']) {
      const { res, text } = await get(a, path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).not.toContain('unsafe-inline');
      expect(text).not.toMatch(/<script(?![^>]*\bsrc=)/);
      expect(text).not.toMatch(/\sstyle="/);
    }
  });

  it('the overview shows the totals and the chart data', async () => {
    const { text } = await get(app(), '/?period=all');
    expect(text).toContain('Successful sign-ins');
    expect(text).toMatch(/data-chart="\{&quot;type&quot;:&quot;stack&quot;/);
    expect(text).toContain('Countries and cities');
    for (const tile of ['Failed sign-ins', 'Lock-outs', 'Users signed in', 'Addresses']) expect(text).toContain(tile);
    for (const panel of ['Sign-ins by kind', 'Failures by weekday and hour', 'Top targets of failures', 'Top addresses', 'Latest findings']) {
      expect(text).toContain(`<h2>${panel}</h2>`);
    }
    // Open findings is a tile only when the archive has a findings store.
    expect(text).not.toContain('Open findings');
    expect((await get(app({ findings: fakeFindings() }), '/?period=all')).text).toMatch(/Open findings<\/span><span class="tile-value">1</);
  });

  it('the default Overview (Last 30 days) starts at a UTC midnight and says so; 24h rolls with now', async () => {
    const a = app(); // now: 10 Mar 2026 13:00 UTC
    const { text } = await get(a, '/');
    expect(text).toContain('since 9 Feb 2026 00:00 UTC');
    expect(text).toMatch(/<option value="30d" selected>/);
    expect((await get(a, '/?period=7d')).text).toContain('since 4 Mar 2026 00:00 UTC');
    expect((await get(a, '/?period=24h')).text).not.toContain('class="muted period-start"');
  });

  it('a typed <script> login is shown as text, never as markup', async () => {
    const { text } = await get(app(), '/events?period=all&kind=failure');
    expect(text).toContain('&lt;script&gt;window.__pwned=1&lt;/script&gt; anna');
    expect(text).not.toContain(SCRIPT_LOGIN);
  });

  it('a typed login shaped like a password is masked on the pages', async () => {
    const a = app();
    const events = await get(a, '/events?period=all&kind=failure');
    expect(events.text).toMatch(/<span class="masked"[^>]*>hmac:[0-9a-f]{16}<\/span>/);
    for (const path of ['/events?period=all&kind=failure', '/?period=all', '/ip?period=all&ip=127.0.0.1']) {
      expect((await get(a, path)).text, path).not.toContain(PASSWORD_LOGIN);
    }
  });

  it('filters narrow the rows and keyset paging moves on to older events', async () => {
    const a = app();
    const all = await get(a, '/events?period=all');
    const failures = await get(a, '/events?period=all&kind=failure');
    expect(rows(all.text)).toBe(50);
    expect(failures.text).not.toMatch(/<tr class="k-success/);
    const next = /href="([^"]*after=[^"]*)"/.exec(all.text)![1].replace(/&amp;/g, '&');
    const older = await get(a, next);
    expect(rows(older.text)).toBeGreaterThan(0);
    const firstTime = (t: string) => /<td class="time">([^<]+)</.exec(t)![1];
    expect(firstTime(older.text) <= firstTime(all.text)).toBe(true);
  });

  it('keyset paging in small pages reads every event of the period once, newest first, ties included', async () => {
    const portalIds = (await archive.store.portals()).map((p) => p.id);
    const scope = { portalIds, filter: { until: NOW + 3_600_000 } };
    const paged: string[] = [];
    let after: Cursor | undefined;
    do {
      const page = await eventPage(archive.store, scope, 7, after);
      paged.push(...page.rows.map((r) => `${r.time}.${r.portalId}.${r.event.id}`));
      after = page.next;
    } while (after);
    const all = (await eventPage(archive.store, scope, 1_000_000)).rows.map((r) => `${r.time}.${r.portalId}.${r.event.id}`);
    expect(all.length).toBeGreaterThan(1000);
    expect(paged).toEqual(all);
  });

  it('a user link leads to a user page with that user', async () => {
    const a = app();
    const { text } = await get(a, '/events?period=all&kind=success');
    const href = /href="(\/user\?[^"]+)">([^<]+)</.exec(text)!;
    const user = await get(a, href[1].replace(/&amp;/g, '&'));
    expect(user.res.status).toBe(200);
    expect(user.text).toContain(`<h1>${href[2]}</h1>`);
    expect(user.text).toContain('Usual hours');
    for (const panel of ['Sign-ins over time', 'Failed sign-ins', 'Places', 'Devices', 'Addresses', 'Findings']) expect(user.text).toContain(`<h2>${panel}</h2>`);
    expect(user.text).toContain('<th>First seen</th><th>Last seen</th>');
  });

  it('a user filter by e-mail keeps that member\'s events and the failures typed with their login', async () => {
    const a = app();
    const user = await get(a, '/events?period=all&kind=success');
    const [, href, name] = /href="(\/user\?[^"]+)">([^<]+)</.exec(user.text)!;
    const page = await get(a, href.replace(/&amp;/g, '&'));
    const email = /<dt>E-mail<\/dt><dd>([^<]+)</.exec(page.text)![1];
    const filtered = await get(a, `/events?period=all&user=${encodeURIComponent(email)}`);
    const users = [...filtered.text.matchAll(/<td>(?:<a href="\/user\?[^"]+">([^<]+)<\/a>|<span class="muted">anonymous<\/span>)<\/td>/g)].map((m) => m[1]);
    expect(users.length).toBeGreaterThan(0);
    expect(new Set(users)).toEqual(new Set([name]));
  });

  it('times follow the chosen zone', async () => {
    const a = app();
    const first = async (tz: string) => /<td class="time">([^<]+)</.exec((await get(a, `/events?period=all&tz=${encodeURIComponent(tz)}`)).text)![1];
    const utc = await first('UTC');
    const plus5 = await first('+05:00');
    expect(Date.parse(`${plus5.replace(' ', 'T')}:00Z`) - Date.parse(`${utc.replace(' ', 'T')}:00Z`)).toBe(5 * 3_600_000);
  });

  it('a user filter goes through the one resolver: an unknown name is one clear line, status 400', async () => {
    const { res, text } = await get(app(), '/events?user=nobody-at-all');
    expect(res.status).toBe(400);
    expect(text).toContain('matches no member');
  });

  it('address, country and action filters keep only their rows, on the page and in its export', async () => {
    const a = app();
    const exported = async (query: string) =>
      parse((await get(a, `/events/export.csv?period=all${query}`)).text, { columns: true, bom: true }) as Array<Record<string, string>>;
    const all = await exported('');
    const most = (key: string) => {
      const n = new Map<string, number>();
      for (const r of all) if (r[key]) n.set(r[key], (n.get(r[key]) ?? 0) + 1);
      return [...n].sort((x, y) => y[1] - x[1])[0][0];
    };
    const ip = most('IP');
    const country = most('Country');
    for (const [query, key, value] of [
      [`&ip=${ip}`, 'IP', ip],
      [`&country=${encodeURIComponent(country)}`, 'Country', country],
      ['&action=1013', 'Action', 'Failed Login via API'],
    ]) {
      const kept = await exported(query);
      expect(kept.length, query).toBeGreaterThan(0);
      expect(kept.length, query).toBeLessThan(all.length);
      expect(kept.every((r) => r[key] === value), query).toBe(true);
      const shown = (await get(a, `/events?period=all${query}`)).text;
      expect(rows(shown), query).toBe(Math.min(50, kept.length));
    }
  });

  it('the address page shows its outcomes over time, who used it, and its places', async () => {
    const a = app();
    const ip = /href="\/ip\?[^"]*ip=([^"&]+)/.exec((await get(a, '/events?period=all&kind=success')).text)![1];
    const { res, text } = await get(a, `/ip?period=all&ip=${ip}`);
    expect(res.status).toBe(200);
    for (const heading of ['Outcomes over time', 'Who used it', 'Places over time', 'Findings']) expect(text).toContain(`<h2>${heading}</h2>`);
    expect(text).toMatch(/data-chart=/);
    expect(text).toMatch(/href="\/user\?/);
  });

  it('archive health shows the coverage ledger, the last sync, retention, the next purge and the quarantine', async () => {
    const { text } = await get(app(), '/health');
    for (const label of ['Gaps', 'Last sync', 'Retention', 'Portal purges next', 'Quarantined']) expect(text).toContain(`<dt>${label}</dt>`);
    expect(text).toContain('Coverage ledger');
    expect(text).toMatch(/complete/);
    expect(text).toMatch(/<dt>Retention<\/dt><dd>\d+ days/);
  });

  it('the XLSX export is a workbook', async () => {
    const { res } = await get(app(), '/events/export.xlsx?period=all&kind=failure');
    expect(res.headers.get('content-type')).toContain('spreadsheetml');
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="login-events-[\d-]+\.xlsx"/);
  });

  it('the CSV export has the CLI columns and only the filtered rows', async () => {
    const { res, text } = await get(app(), '/events/export.csv?period=all&kind=failure');
    expect(res.headers.get('content-type')).toContain('text/csv');
    const lines = text.trim().split('\n');
    expect(lines[0]).toMatch(/^ID,/);
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.slice(1).every((l) => !l.includes('Login Success'))).toBe(true);
  });
});

/** An in-memory findings store: what the archive's findings tables provide. */
function fakeFindings(): FindingsSource & { rows: DashboardFinding[] } {
  const rows: DashboardFinding[] = [
    { id: 'f1', portalId: 1, rule: 'DSL-001', title: 'Password spray', severity: 'high', status: 'open', group: '203.0.113.9', createdAt: NOW, updatedAt: NOW, evidence: { note: '<b>bold</b>' } },
  ];
  return {
    rows,
    list: async (q) => rows.filter((f) => !q.status || f.status === q.status),
    get: async (id) => rows.find((f) => f.id === id),
    setStatus: async (id, status) => {
      rows.find((f) => f.id === id)!.status = status;
    },
  };
}

describe('findings', () => {
  it('the queue shows a finding with its evidence escaped, and acknowledge is a POST with the CSRF token', async () => {
    const findings = fakeFindings();
    const a = app({ findings });
    const page = await get(a, '/findings?period=all');
    expect(page.text).toContain('Password spray');
    expect(page.text).toContain('&lt;b&gt;bold&lt;/b&gt;');
    expect(page.text).toContain('href="/ip?');
    const session = page.res.headers.get('set-cookie')!.split(';')[0];
    const csrf = /name="csrf" value="([^"]+)"/.exec(page.text)![1];
    const post = (body: string, cookie = session) =>
      a.fetch(new Request(`${ORIGIN}/findings/status`, { method: 'POST', body, headers: { cookie, origin: ORIGIN } }));
    expect((await post('id=f1&status=acknowledged&csrf=nope')).status).toBe(403);
    expect(findings.rows[0].status).toBe('open');
    const cross = await a.fetch(new Request(`${ORIGIN}/findings/status`, { method: 'POST', body: `id=f1&status=acknowledged&csrf=${csrf}`, headers: { cookie: session, origin: 'http://evil.example' } }));
    expect(cross.status).toBe(403);
    expect((await post(`id=f1&status=acknowledged&csrf=${encodeURIComponent(csrf)}`)).status).toBe(303);
    expect(findings.rows[0].status).toBe('acknowledged');
  });
});

describe('findings name who they are about', () => {
  it('the findings "About" column shows the member by name, linked to the user page', async () => {
    const portalId = (await archive.store.portals())[0].id;
    const person = (await archive.store.people(portalId)).find((p) => p.displayName)!;
    const findings = fakeFindings();
    findings.rows.push({ ...findings.rows[0], id: 'f2', portalId, rule: 'DSL-012', title: 'Off-hours login', group: person.id.toUpperCase() });
    const { text } = await get(app({ findings }), '/findings?period=all');
    const cell = /<td><a href="(\/user\?[^"]*)">([^<]*)<\/a><\/td>/.exec(text)!;
    expect(cell[2]).toBe(person.displayName);
    expect(cell[1]).toContain(`id=${person.id}`);
    expect(text).not.toMatch(/>user<\/a>/);
  });

  it('the action confirmation names the member by name and e-mail, with the user id as secondary text', async () => {
    const a = app({ actions: async () => ({ ok: true, summary: 'sent' }) });
    const events = await get(a, '/events?period=all&kind=success');
    const href = /href="(\/user\?[^"]+)"/.exec(events.text)![1].replace(/&amp;/g, '&');
    const id = new URL(href, ORIGIN).searchParams.get('id')!;
    const portalId = Number(new URL(href, ORIGIN).searchParams.get('portal'));
    const person = (await archive.store.people(portalId)).find((p) => p.id === id)!;
    const user = await get(a, href);
    const session = user.res.headers.get('set-cookie')!.split(';')[0];
    for (const form of user.text.match(/<form method="post" action="\/actions\/confirm"[^]*?<\/form>/g)!) {
      const fields = new URLSearchParams([...form.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]] as [string, string]));
      const res = await a.fetch(
        new Request(`${ORIGIN}/actions/confirm`, { method: 'POST', body: fields, headers: { cookie: session, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' } }),
      );
      const line = /<p><strong>Log out[^<]*<\/strong>:([^]*?)<\/p>/.exec(await res.text())![1];
      expect(line).toContain(`<strong>${person.displayName}</strong>`);
      if (person.email) expect(line).toContain(person.email);
      expect(line).toContain(`<code>${id}</code>`);
    }
  });
});

describe('dashboard security', () => {
  it('without --allow-actions the user page has no action buttons and action POSTs are refused', async () => {
    const a = app();
    const events = await get(a, '/events?period=all&kind=success');
    const href = /href="(\/user\?[^"]+)"/.exec(events.text)![1].replace(/&amp;/g, '&');
    const user = await get(a, href);
    expect(user.text).not.toContain('Log out');
    const res = await a.fetch(new Request(`${ORIGIN}/actions/run`, { method: 'POST', body: 'action=logout-user' }));
    expect(res.status).toBe(403);
  });

  it('an action needs the session cookie, its CSRF token, and a confirmation step', async () => {
    const calls: unknown[] = [];
    const a = app({ actions: async (req) => (calls.push(req), { ok: true, summary: 'sent' }) });
    const events = await get(a, '/events?period=all&kind=success');
    const href = /href="(\/user\?[^"]+)"/.exec(events.text)![1].replace(/&amp;/g, '&');
    const user = await get(a, href);
    const session = user.res.headers.get('set-cookie')!.split(';')[0];
    expect(user.text).toContain('Log out everywhere');
    const form = /<form method="post" action="\/actions\/confirm"[^]*?<\/form>/.exec(user.text)![0];
    const fields = new URLSearchParams([...form.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]] as [string, string]));
    const post = (path: string, body: URLSearchParams, cookie = session) =>
      a.fetch(new Request(ORIGIN + path, { method: 'POST', body, headers: { cookie, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' } }));
    const confirm = await post('/actions/confirm', fields);
    expect(confirm.status).toBe(200);
    expect(await confirm.text()).toContain('Yes, log out');
    expect(calls).toHaveLength(0);
    const forged = new URLSearchParams(fields);
    forged.set('csrf', 'forged');
    expect((await post('/actions/run', forged)).status).toBe(403);
    expect((await post('/actions/run', fields, 'dl_session=someone-elses-session-id')).status).toBe(403);
    expect(calls).toHaveLength(0);
    const done = await post('/actions/run', fields);
    expect(done.status).toBe(200);
    expect(calls).toHaveLength(1);
  });

  it('the actions runner calls respond for real (no dry run) with the event id or user id, and reports its outcome', async () => {
    const calls: Array<Record<string, unknown>> = [];
    const runner = respondRunner<string, undefined>({
      respond: async (o) => (calls.push(o), { outcome: o.action === 'logout-session' ? 'verified' : 'failed', error: o.action === 'logout-session' ? undefined : '403' }),
      clientFor: (portalId) => (portalId === 1 ? 'client-of-portal-1' : undefined),
    });
    const user = '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01';
    const session = await runner({ portalId: 1, action: 'logout-session', target: '78400', userId: user });
    expect(session.ok).toBe(true);
    expect(calls[0]).toMatchObject({ client: 'client-of-portal-1', action: 'logout-session', target: '78400', dryRun: false, portalId: 1 });
    const everywhere = await runner({ portalId: 1, action: 'logout-user', target: user, userId: user });
    expect(everywhere).toMatchObject({ ok: false, summary: 'the portal refused it (403)' });
    await expect(runner({ portalId: 2, action: 'logout-user', target: user, userId: user })).rejects.toThrow(/no credentials for this portal/);
  });

  it('with a token, a request without it is refused, and the printed link sets a cookie that works', async () => {
    const a = app({ token: 'the-token-0123456789' });
    expect((await get(a, '/')).res.status).toBe(401);
    expect((await get(a, '/', { authorization: 'Bearer wrong' })).res.status).toBe(401);
    expect((await get(a, '/?period=all', { authorization: 'Bearer the-token-0123456789' })).res.status).toBe(200);
    const opened = await get(a, '/?token=the-token-0123456789');
    expect(opened.res.status).toBe(303);
    expect(opened.res.headers.get('location')).toBe('/');
    const cookie = opened.res.headers.get('set-cookie')!.split(';')[0];
    expect(cookie).not.toContain('the-token');
    expect((await get(a, '/', { cookie })).res.status).toBe(200);
  });

  it('--token-file guards a non-loopback --host with that token, prints no token in the link, and refuses a short one', async () => {
    const { startServe } = await import('../src/cli/commands/serve.js');
    const { Reporter } = await import('../src/cli/io.js');
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const io = { stdout: sink, stderr: sink, env: { ...process.env } };
    const dir = mkdtempSync(join(tmpdir(), 'dl-token-'));
    const file = join(dir, 'token');
    writeFileSync(file, 'a-long-token-from-a-file-0123\n');
    const serving = await startServe({ db: archive.path, port: '0', host: '0.0.0.0', allowInsecureHttp: true, tokenFile: file }, io, new Reporter(io, true));
    try {
      expect(serving.link).not.toContain('token');
      const url = serving.url.replace('0.0.0.0', '127.0.0.1');
      expect((await fetch(url)).status).toBe(401);
      expect((await fetch(url, { headers: { authorization: 'Bearer a-long-token-from-a-file-0123' } })).status).toBe(200);
    } finally {
      await serving.close();
    }
    writeFileSync(file, 'short');
    await expect(startServe({ db: archive.path, port: '0', tokenFile: file }, io, new Reporter(io, true))).rejects.toThrow(/shorter than 16 characters/);
  });

  it('serve refuses a non-loopback --host over plain http, and --allow-actions without a portal to act on, before opening anything', async () => {
    let text = '';
    const sink = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
    const io = { stdout: sink, stderr: sink, env: { ...process.env } };
    expect(await run(['serve', '--host', '10.1.2.3', '--db', archive.path], io)).toBe(2);
    expect(text).toContain('--host 10.1.2.3 is not loopback');
    expect(text).toContain('--allow-insecure-http');
    text = '';
    expect(await run(['serve', '--allow-actions', '--db', archive.path], io)).toBe(2);
    // Actions act on the configured portal: with none configured there is nothing to act on.
    expect(text).toMatch(/^error: No portal configured/);
  });
});

describe('serve --demo', () => {
  it('runs the built-in rules over its new archive, so the Findings queue and the Overview show findings', async () => {
    const { startServe } = await import('../src/cli/commands/serve.js');
    const { Reporter } = await import('../src/cli/io.js');
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    const io = { stdout: sink, stderr: sink, env: { ...process.env, DOCSPACE_URL: undefined, DOCSPACE_API_KEY: undefined, DOCSPACE_LOGINS_DB: undefined } };
    const serving = await startServe({ demo: true, port: '0' }, io, new Reporter(io, true));
    try {
      const text = async (path: string) => (await fetch(new URL(path, serving.url))).text();
      const queue = await text('/findings');
      expect(queue).not.toContain('No findings.');
      expect((queue.match(/<span class="badge sev-/g) ?? []).length).toBeGreaterThan(3);
      expect(await text('/')).toMatch(/Open findings<\/[^>]+>\s*<[^>]+>[1-9]/);
    } finally {
      await serving.close();
    }
  }, 60_000);
});

describe('serve --allow-actions', () => {
  it('acts on the demo portal through respond: a member is logged out everywhere after the confirmation step', async () => {
    const { startServe } = await import('../src/cli/commands/serve.js');
    const { Reporter } = await import('../src/cli/io.js');
    let text = '';
    const sink = new Writable({ write: (c, _e, cb) => ((text += String(c)), cb()) });
    const io = { stdout: sink, stderr: sink, env: { ...process.env, DOCSPACE_URL: undefined, DOCSPACE_API_KEY: undefined } };
    const serving = await startServe({ demo: true, allowActions: true, port: '0' }, io, new Reporter(io));
    try {
      // One demo portal: the one the archive was synced from is the one actions go to.
      const started = [...text.matchAll(/Using the built-in DocSpace emulator at (\S+) /g)].map((m) => m[1]);
      expect(started).toHaveLength(1);
      expect(text).toContain(`Actions act on the built-in demo portal (${started[0]})`);
      const origin = serving.url.replace(/\/$/, '');
      const page = async (path: string, cookie?: string) => {
        const res = await fetch(origin + path, { headers: cookie ? { cookie } : {} });
        return { res, text: await res.text() };
      };
      const events = await page(`/events?period=all&kind=success&user=${encodeURIComponent('anna.weber@demo.docspace.test')}`);
      const href = /href="(\/user\?[^"]+)"/.exec(events.text)![1].replace(/&amp;/g, '&');
      const user = await page(href);
      expect(user.text).toContain('Log out everywhere');
      // The key serve read to act with never reaches a page.
      for (const text of [events.text, user.text]) expect(text).not.toMatch(/sk-[0-9a-f]{16}/);
      const session = user.res.headers.get('set-cookie')!.split(';')[0];
      const forms = [...user.text.matchAll(/<form method="post" action="\/actions\/confirm"[^]*?<\/form>/g)].map((m) => m[0]);
      const everywhere = forms.find((f) => f.includes('logout-user'))!;
      const fields = new URLSearchParams([...everywhere.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1], m[2]] as [string, string]));
      const post = (path: string) =>
        fetch(origin + path, { method: 'POST', body: fields, headers: { cookie: session, origin, 'content-type': 'application/x-www-form-urlencoded' } });
      expect((await post('/actions/confirm')).status).toBe(200);
      const done = await post('/actions/run');
      const body = await done.text();
      expect(done.status, `${body}\n${text}`).toBe(200);
      // respond's proof: the portal's audit trail shows the logout of every session (4036).
      expect(body).toContain('audit trail shows it');
    } finally {
      await serving.close();
    }
  }, 60_000);
});
