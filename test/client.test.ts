import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  AuthenticationError,
  DocSpaceClient,
  NotDocSpaceError,
  PermissionError,
  RateLimitError,
  UnavailableError,
  UsageError,
} from '../src/index.js';
import { body, empty, envelope, type ScriptedServer, scriptedServer } from './helpers/scripted-server.js';

const KEY = `sk-${'ab12'.repeat(16)}`;
let server: ScriptedServer | undefined;
let client: DocSpaceClient | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  client = undefined;
  server = undefined;
});

/** A client whose waits are recorded instead of slept. */
function makeClient(url: string, extra: Partial<ConstructorParameters<typeof DocSpaceClient>[0]> = {}) {
  const waits: number[] = [];
  client = new DocSpaceClient({
    portal: url,
    credentials: { kind: 'apiKey', apiKey: KEY },
    sleep: async (ms) => {
      waits.push(ms);
    },
    random: () => 0.5,
    ...extra,
  });
  return { client, waits };
}

const lifetime = { loginHistoryLifeTime: 180, auditTrailLifeTime: 180 };

describe('DocSpace client transport', () => {
  it('sends the key only as "Authorization: Bearer sk-…" and never in the URL', async () => {
    server = await scriptedServer(envelope(lifetime));
    const { client } = makeClient(server.url);
    await client.auditSettings();
    expect(server.requests[0].headers.authorization).toBe(`Bearer ${KEY}`);
    expect(server.requests[0].url).not.toContain(KEY);
    expect(server.requests[0].url).toBe('/api/2.0/security/audit/settings/lifetime');
  });

  it('sends from/to as ISO with Z, percent-encoded, and count/startIndex as given', async () => {
    server = await scriptedServer(envelope([]));
    const { client } = makeClient(server.url);
    await client.filterEvents({
      startIndex: 200,
      count: 100,
      from: Date.UTC(2025, 5, 1),
      to: Date.UTC(2025, 5, 2, 12),
    });
    const url = new URL(server.requests[0].url, 'http://x');
    expect(url.pathname).toBe('/api/2.0/security/audit/login/filter');
    expect(url.searchParams.get('from')).toBe('2025-06-01T00:00:00.000Z');
    expect(url.searchParams.get('to')).toBe('2025-06-02T12:00:00.000Z');
    expect(url.searchParams.get('startIndex')).toBe('200');
    expect(url.searchParams.get('count')).toBe('100');
  });

  it('a 429 with Retry-After: 2 waits two seconds, then succeeds', async () => {
    server = await scriptedServer([empty(429, { 'retry-after': '2' }), envelope(lifetime)]);
    const { client, waits } = makeClient(server.url);
    await expect(client.auditSettings()).resolves.toMatchObject({ loginHistoryLifeTime: 180 });
    expect(waits).toContain(2000);
    expect(client.stats.retries).toBe(1);
  });

  it('a 429 with X-RateLimit-Reset waits until that unix second', async () => {
    const now = Date.UTC(2026, 0, 1);
    server = await scriptedServer([
      empty(429, { 'x-ratelimit-reset': String(now / 1000 + 5) }),
      envelope(lifetime),
    ]);
    const { client, waits } = makeClient(server.url, { now: () => now });
    await client.auditSettings();
    expect(waits).toContain(5000);
  });

  it('a 429 with no headers backs off at least one second', async () => {
    server = await scriptedServer([empty(429), envelope(lifetime)]);
    const { client, waits } = makeClient(server.url);
    await client.auditSettings();
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
  });

  it('a 429 asking for more than the maximum wait fails at once with the wait in the message', async () => {
    server = await scriptedServer([empty(429, { 'retry-after': '86400' })]);
    const { client, waits } = makeClient(server.url);
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.message).toContain('86400 s');
    expect(waits).toEqual([]);
  });

  it.each([500, 502, 503, 504])('a %i is retried with back-off and then succeeds', async (status) => {
    server = await scriptedServer([empty(status), empty(status), envelope(lifetime)]);
    const { client, waits } = makeClient(server.url);
    await client.auditSettings();
    expect(waits).toHaveLength(2);
    expect(waits[1]).toBeGreaterThan(waits[0]);
  });

  it('persistent 503 becomes UnavailableError after the configured attempts', async () => {
    server = await scriptedServer(empty(503));
    const { client } = makeClient(server.url, { retry: { attempts: 3 } });
    await expect(client.auditSettings()).rejects.toBeInstanceOf(UnavailableError);
    expect(server.requests).toHaveLength(3);
  });

  it('a dropped connection is retried', async () => {
    server = await scriptedServer([(req) => req.socket.destroy(), envelope(lifetime)]);
    const { client } = makeClient(server.url);
    await expect(client.auditSettings()).resolves.toBeTruthy();
    expect(server.requests).toHaveLength(2);
  });

  it('a server that never answers times out and ends as UnavailableError', async () => {
    server = await scriptedServer(() => {});
    const { client } = makeClient(server.url, { timeoutMs: 200, retry: { attempts: 2 } });
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message, JSON.stringify(err.details)).toMatch(/did not answer within/);
  });

  it.each([
    [401, AuthenticationError, /refused the credentials/],
    [402, PermissionError, /402 Payment Required/],
    [403, PermissionError, /lacks the \*:read scope/],
    [404, NotDocSpaceError, /No DocSpace API/],
  ])('an empty-body %i maps to %o with a hint', async (status, type, message) => {
    server = await scriptedServer(empty(status as number));
    const { client } = makeClient(server.url);
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(type);
    expect(err.message).toMatch(message);
    expect(server.requests).toHaveLength(1);
  });

  it('a 403 JSON error envelope says the key owner must be an admin, without the server stack trace', async () => {
    server = await scriptedServer(
      body(
        403,
        'application/json',
        JSON.stringify({
          error: {
            message: 'Access denied',
            type: 'ASC.Common.Security.Authorizing.AuthorizingException',
            stack: '   at ASC.Secret.Stack()',
            hresult: -1,
          },
          status: 1,
          statusCode: 403,
        }),
      ),
    );
    const { client } = makeClient(server.url);
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(PermissionError);
    expect(err.message).toContain('must be a DocSpace admin');
    expect(err.message).toContain('Access denied');
    expect(err.message).not.toContain('ASC.Secret.Stack');
  });

  it('an HTML page instead of JSON is "not a DocSpace API"', async () => {
    server = await scriptedServer(body(200, 'text/html', '<!DOCTYPE html><html><body>Welcome</body></html>'));
    const { client } = makeClient(server.url);
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(NotDocSpaceError);
    expect(err.message).toContain('HTML page');
  });

  it('JSON without the envelope is "not a DocSpace API"', async () => {
    server = await scriptedServer(body(200, 'application/json', '{"hello":"world"}'));
    const { client } = makeClient(server.url);
    await expect(client.auditSettings()).rejects.toThrow(/without the DocSpace envelope/);
  });

  it('a body that is not JSON is "not a DocSpace API"', async () => {
    server = await scriptedServer(body(200, 'text/plain', 'OK'));
    const { client } = makeClient(server.url);
    await expect(client.auditSettings()).rejects.toThrow(/not JSON/);
  });

  it('a wrong field type names the field', async () => {
    server = await scriptedServer(envelope({ loginHistoryLifeTime: 'forever' }));
    const { client } = makeClient(server.url);
    await expect(client.auditSettings()).rejects.toThrow(/field "loginHistoryLifeTime"/);
  });

  it('a malformed event names the field and the event id, and the valid ones still arrive', async () => {
    server = await scriptedServer(
      envelope([
        { id: 1, date: '2025-06-03T14:05:09.0000000+02:00', userId: 'a', actionId: 1010, user: 'A' },
        { id: 2, date: 42, userId: 'b', actionId: 1010 },
      ]),
    );
    const { client } = makeClient(server.url);
    const page = await client.lastEvents();
    expect(page.items.map((e) => e.id)).toEqual([1]);
    expect(page.invalid[0].reason).toMatch(/event 2: field "date"/);
  });

  it('unknown fields pass through untouched', async () => {
    server = await scriptedServer(envelope({ ...lifetime, newServerField: { x: 1 } }));
    const { client } = makeClient(server.url);
    expect(await client.auditSettings()).toMatchObject({ newServerField: { x: 1 } });
  });

  it('never retries a POST: a failed login is reported at once', async () => {
    server = await scriptedServer(empty(503));
    client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'password', userName: 'u', password: 'p4ssw0rd' },
      sleep: async () => {},
    });
    await expect(client.auditSettings()).rejects.toBeInstanceOf(UnavailableError);
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
  });

  it('refuses credentials over plain http to a non-loopback host', () => {
    expect(
      () =>
        new DocSpaceClient({
          portal: 'http://portal.example.com',
          credentials: { kind: 'apiKey', apiKey: KEY },
        }),
    ).toThrow(UsageError);
    expect(
      () =>
        new DocSpaceClient({
          portal: 'http://portal.example.com',
          credentials: { kind: 'apiKey', apiKey: KEY },
          allowInsecureHttp: true,
        }),
    ).not.toThrow();
  });

  it('rejects a concurrency above 40', () => {
    expect(
      () =>
        new DocSpaceClient({
          portal: 'https://x.test',
          credentials: { kind: 'apiKey', apiKey: KEY },
          concurrency: 41,
        }),
    ).toThrow(/1 to 40/);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    // The server holds every request and answers the oldest only once three are waiting, so
    // the peak is reached however slowly the requests arrive (a timer-based answer could free a
    // slot before a late third request arrived on a loaded machine).
    const held: Array<() => void> = [];
    let peak = 0;
    server = await scriptedServer((req, res) => {
      held.push(() => envelope([])(req, res, 0));
      peak = Math.max(peak, held.length);
    });
    const { client } = makeClient(server.url, { concurrency: 3 });
    const all = Promise.all(Array.from({ length: 12 }, (_, i) => client.filterEvents({ startIndex: i * 100 })));
    for (let answered = 0; answered < 12; answered++) {
      const waiting = Math.min(3, 12 - answered);
      await vi.waitFor(() => expect(held.length).toBeGreaterThanOrEqual(waiting), { timeout: 10_000, interval: 2 });
      held.shift()!();
    }
    await all;
    expect(peak).toBe(3);
  });

  it('redacts the key from any text it is given', () => {
    const { client } = makeClient('https://x.test');
    expect(client.redact(`header was Bearer ${KEY}`)).toBe('header was Bearer [REDACTED]');
  });
});
