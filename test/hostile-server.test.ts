/**
 * A hostile or broken server cannot hang, exhaust or fool the client: each case is a small
 * loopback server doing one bad thing, and the client ends with an error that says what happened.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../src/cli/exit.js';
import {
  AuthenticationError,
  DocSpaceClient,
  NoProgressError,
  NotDocSpaceError,
  readHistory,
  UnavailableError,
} from '../src/index.js';
import { MAX_BODY_BYTES } from '../src/client/transport.js';
import { readDirectory } from '../src/sync/people.js';
import { empty, envelope, type ScriptedServer, scriptedServer, syntheticEvents } from './helpers/scripted-server.js';

const KEY = `sk-${'ab12'.repeat(16)}`;
let server: ScriptedServer | undefined;
let client: DocSpaceClient | undefined;
let raw: Server | undefined;

afterEach(async () => {
  await client?.close();
  await server?.close();
  if (raw) {
    raw.closeAllConnections();
    await new Promise((resolve) => raw!.close(resolve));
  }
  client = server = raw = undefined;
});

function connect(url: string, extra: Partial<ConstructorParameters<typeof DocSpaceClient>[0]> = {}) {
  client = new DocSpaceClient({
    portal: url,
    credentials: { kind: 'apiKey', apiKey: KEY },
    sleep: async () => {},
    retry: { attempts: 2 },
    ...extra,
  });
  return client;
}

describe('a hostile server', () => {
  it('dripping one byte at a time ends with a time-out: --timeout bounds the whole response', async () => {
    const drips: NodeJS.Timeout[] = [];
    server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{');
      // A byte well within any idle time-out, forever: only a deadline on the whole response ends it.
      drips.push(setInterval(() => res.write(' '), 20));
      res.on('close', () => drips.forEach(clearInterval));
    });
    const err = await connect(server.url, { timeoutMs: 500 }).auditSettings().catch((e) => e);
    drips.forEach(clearInterval);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/did not answer within 1 s/);
  });

  it(`sending a body larger than ${MAX_BODY_BYTES / 1_048_576} MB is refused, not buffered`, async () => {
    let written = 0;
    server = await scriptedServer((_req, res) => {
      // No content-length: the size is only known by counting.
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => {
        while (written <= MAX_BODY_BYTES * 4 && res.write(chunk)) written += chunk.length;
        if (written <= MAX_BODY_BYTES * 4) res.once('drain', pump);
        else res.end();
      };
      pump();
    });
    const err = await connect(server.url).auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/larger than 4 MB.*refused/);
    // Refused while reading, and not retried: the server did not get to send all it wanted.
    expect(server.requests).toHaveLength(1);
    expect(written).toBeLessThan(MAX_BODY_BYTES * 4);
  });

  it('declaring a huge content-length is refused before reading the body', async () => {
    server = await scriptedServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(1 << 30) });
      res.write('{');
    });
    await expect(connect(server.url).auditSettings()).rejects.toThrow(/larger than 4 MB/);
  });

  it('serving the same page for every startIndex ends with "no progress", exit code 5', async () => {
    const page = syntheticEvents(100);
    server = await scriptedServer(envelope(page));
    const read = readHistory(connect(server.url));
    const err = await (async () => {
      for await (const _ of read);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(NoProgressError);
    expect(err.message).toMatch(/5 pages in a row with no event not already seen/);
    expect(exitCodeFor(err)).toBe(5);
  });

  it('a people list that never ends (the same full page for every startIndex) ends with "no progress", exit code 5', async () => {
    const members = Array.from({ length: 100 }, (_, i) => ({ id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`, displayName: `M ${i}` }));
    server = await scriptedServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ response: members, count: 100, total: 1_000_000_000, status: 0, statusCode: 200, links: [{ href: `http://x${req.url}` }] }));
    });
    const c = connect(server.url);
    const got: string[] = [];
    const err = await (async () => {
      for await (const p of c.people()) got.push(p.id);
    })().catch((e) => e);
    expect(err).toBeInstanceOf(NoProgressError);
    expect(err.message).toMatch(/3 pages in a row with no member not already seen/);
    expect(exitCodeFor(err)).toBe(5);
    // Each member once, and a handful of requests rather than an endless loop.
    expect(got).toEqual(members.map((m) => m.id));
    expect(server.requests.length).toBe(4);
    // The directory a sync reads (people/filter) stops at the first page that brings nobody new.
    expect((await readDirectory(c)).map((p) => p.id)).toEqual(members.map((m) => m.id));
    expect(server.requests.length).toBe(6);
  });

  it('cutting the body off mid-response is "closed the connection mid-response", not a time-out', async () => {
    server = await scriptedServer((req) => {
      // Promise 1,000 bytes, send 20, then drop the connection.
      req.socket.write('HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 1000\r\n\r\n{"response":{"login');
      req.socket.destroy();
    });
    const err = await connect(server.url, { timeoutMs: 60_000 }).auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/closed the connection mid-response/);
    expect(err.message).not.toMatch(/did not answer/);
    expect(server.requests).toHaveLength(2);
  });

  it('a redirect is an error naming its Location, never followed', async () => {
    server = await scriptedServer(empty(301, { location: 'https://elsewhere.example/api/2.0/' }));
    const err = await connect(server.url).auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(NotDocSpaceError);
    expect(err.message).toMatch(/redirects \(301\) to https:\/\/elsewhere\.example\/api\/2\.0\//);
    expect(server.requests).toHaveLength(1);
  });

  it('echoing the key back transformed (upper-case, URL-encoded, base64) leaks none of it', async () => {
    const echoes = [KEY.toUpperCase(), encodeURIComponent(`Bearer ${KEY}`), Buffer.from(KEY).toString('base64'), `sk-${'c'.repeat(64)}`];
    server = await scriptedServer((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `bad key ${echoes.join(' and ')}` }, status: 1, statusCode: 400 }));
    });
    const lines: string[] = [];
    const err = await connect(server.url, { onDebug: (l) => lines.push(l) }).auditSettings().catch((e) => e);
    const shown = [err.message, JSON.stringify(err.details), ...lines].join('\n');
    expect(err.message).toContain('bad key');
    for (const form of [KEY, KEY.toUpperCase(), KEY.slice(3), Buffer.from(KEY).toString('base64'), 'c'.repeat(64)]) {
      expect(shown.toLowerCase()).not.toContain(form.toLowerCase());
    }
  });

  it('a plain http server behind an https:// URL fails at once: "TLS handshake failed: is it http://…?"', async () => {
    let connections = 0;
    raw = createServer((_req, res) => res.end());
    raw.on('connection', () => connections++);
    await new Promise<void>((resolve) => raw!.listen(0, '127.0.0.1', resolve));
    const port = (raw.address() as AddressInfo).port;
    const err = await connect(`https://127.0.0.1:${port}`, { retry: { attempts: 6 } }).auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(new RegExp(`^TLS handshake failed: is it http://127\\.0\\.0\\.1:${port}\\?`));
    expect(connections).toBe(1);
  });
});

describe('credentials on the wire', () => {
  it('a password login sends the e-mail; a user name is refused with "use the e-mail address"', async () => {
    server = await scriptedServer(empty(401));
    client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'password', userName: 'jdoe', password: 'p4ssw0rd' },
      sleep: async () => {},
    });
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err.message).toMatch(/"jdoe" looks like a user name.*use the e-mail address/);
    expect(err.message).not.toContain('p4ssw0rd');
  });

  it('a session token is ended through the asc_auth_key cookie, never in the URL', async () => {
    const token = 'opaque-session-token/with+chars=';
    server = await scriptedServer([
      envelope({ token, expires: '2027-01-01T00:00:00.0000000Z', sms: false, tfa: false }),
      envelope({ loginHistoryLifeTime: 180, auditTrailLifeTime: 180 }),
      envelope(null),
    ]);
    client = new DocSpaceClient({
      portal: server.url,
      credentials: { kind: 'password', userName: 'anna@example.com', password: 'p4ssw0rd' },
    });
    await client.auditSettings();
    await client.logout();
    const [login, get, logout] = server.requests;
    expect(login.method).toBe('POST');
    expect(get.headers.authorization).toBe(token);
    expect(logout.url).toBe('/api/2.0/authentication/logout');
    expect(logout.headers.cookie).toBe(`asc_auth_key=${encodeURIComponent(token)}`);
    expect(logout.headers.authorization).toBeUndefined();
    expect(server.requests.every((r) => !r.url.includes(encodeURIComponent(token)) && !r.url.includes(token))).toBe(true);
  });

  it.each([
    ['a key without the sk- prefix', 'ab12'.repeat(16), /does not start with "sk-"/],
    ['an upper-case key', `sk-${'AB12'.repeat(16)}`, /must be lowercase/],
    ['a truncated key', `sk-${'ab12'.repeat(15)}`, /60 characters after "sk-"/],
  ])('%s is refused before anything is sent', (_name, apiKey, message) => {
    expect(() => new DocSpaceClient({ portal: 'https://x.test', credentials: { kind: 'apiKey', apiKey } })).toThrow(message);
  });
});
