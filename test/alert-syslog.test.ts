/**
 * Syslog destinations against listeners on loopback: TCP and TLS with RFC 6587 octet-counted
 * frames, UDP datagrams, RFC 5424 headers and structured data, and the CEF format.
 */
import { createSocket } from 'node:dgram';
import { readFileSync } from 'node:fs';
import { type AddressInfo, createServer as netServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';
import { createServer as tlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { createAlert, createSender, parseDestination } from '../src/alert/index.js';
import { Clock, finding, freePort, T0 } from './helpers/alert-helpers.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/alert/${name}`, import.meta.url));
const CERT = fixture('tls-cert.pem');
const KEY = fixture('tls-key.pem');

/** Split an octet-counted stream (`LEN SP MSG`…) into messages; throws on a malformed frame. */
function octetFrames(stream: Buffer): string[] {
  const out: string[] = [];
  let at = 0;
  while (at < stream.length) {
    const space = stream.indexOf(0x20, at);
    const len = stream.subarray(at, space).toString('ascii');
    if (!/^[1-9]\d*$/.test(len)) throw new Error(`bad frame length "${len}"`);
    const end = space + 1 + Number(len);
    if (end > stream.length) throw new Error('truncated frame');
    out.push(stream.subarray(space + 1, end).toString('utf8'));
    at = end;
  }
  return out;
}

const RFC5424 = /^<(\d+)>1 (\S+) (\S+) (\S+) (\S+) (\S+) (\[(?:[^\]\\]|\\.)*\]) (.*)$/s;

function parse5424(message: string) {
  const m = RFC5424.exec(message);
  if (!m) throw new Error(`not RFC 5424: ${message}`);
  const [, pri, timestamp, host, app, procId, msgId, sd, msg] = m;
  return { pri: Number(pri), timestamp, host, app, procId, msgId, sd, msg };
}

/** A stream listener collecting each connection's bytes; resolves `next()` when one ends. */
function streamListener(server: Server, event: 'connection' | 'secureConnection' = 'connection') {
  const done: Buffer[] = [];
  const waiters: Array<(b: Buffer) => void> = [];
  server.on(event, (socket: Socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c) => chunks.push(c));
    socket.on('end', () => {
      socket.end();
      const all = Buffer.concat(chunks);
      const w = waiters.shift();
      if (w) w(all);
      else done.push(all);
    });
  });
  return {
    next: () => new Promise<Buffer>((resolve) => (done.length ? resolve(done.shift()!) : waiters.push(resolve))),
  };
}

const closers: Array<() => void> = [];
afterEach(() => {
  while (closers.length) closers.pop()!();
});

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closers.push(() => server.close());
  return (server.address() as AddressInfo).port;
}

const clock = new Clock(T0);
const ctx = { now: clock.now, hostname: 'watch-01', version: '0.1.0' };
const alert = createAlert(finding({ groupKey: 'evil"] user\\x', title: 'Spray\nfrom one IP' }), 'new', T0);

describe('syslog over TCP and TLS', () => {
  it('TCP sends one octet-counted RFC 5424 frame with the facts as structured data and the alert as JSON', async () => {
    const server = netServer();
    const frames = streamListener(server);
    const port = await listen(server);
    const sender = createSender(parseDestination(`syslog+tcp://127.0.0.1:${port}`), ctx);
    expect(await sender.send(alert)).toEqual({ status: 'delivered' });
    const [message, ...rest] = octetFrames(await frames.next());
    expect(rest).toEqual([]);
    const m = parse5424(message);
    // authpriv (10) × 8 + err (3) for a high finding.
    expect(m).toMatchObject({ pri: 83, timestamp: '2026-03-02T09:30:00.000Z', host: 'watch-01', app: 'docspace-logins', msgId: 'DSL-003' });
    expect(m.sd).toBe(
      '[alert@32473 id="dsl-003:198.51.100.7:1" reason="new" rule="DSL-003" severity="high" group="evil\\"\\] user\\\\x" count="18" portal="https://acme.docspace.example"]',
    );
    const doc = JSON.parse(m.msg);
    expect(doc.data.alert.id).toBe('dsl-003:198.51.100.7:1');
    expect(doc.data.eventIds).toEqual([81234, 81235, 81240]);
    expect(message).not.toContain('\n');
  });

  it('TLS with the listener\'s CA given by ca-file delivers the same framing', async () => {
    const server = tlsServer({ key: readFileSync(KEY), cert: readFileSync(CERT) });
    const frames = streamListener(server, 'secureConnection');
    const port = await listen(server);
    const sender = createSender(parseDestination(`syslog+tls://127.0.0.1:${port}?ca-file=${CERT}&facility=local4`), ctx);
    expect(await sender.send(alert)).toEqual({ status: 'delivered' });
    const m = parse5424(octetFrames(await frames.next())[0]);
    expect(m.pri).toBe(20 * 8 + 3);
    expect(JSON.parse(m.msg).data.finding.title).toBe('Spray\nfrom one IP');
  });

  it('TLS to a listener whose certificate is not trusted is retried, not delivered', async () => {
    const server = tlsServer({ key: readFileSync(KEY), cert: readFileSync(CERT) });
    server.on('tlsClientError', () => {});
    const port = await listen(server);
    const result = await createSender(parseDestination(`syslog+tls://127.0.0.1:${port}`), ctx).send(alert);
    expect(result).toMatchObject({ status: 'retry', error: expect.stringMatching(/self[- ]signed|SELF_SIGNED/i) });
  });

  it('a TCP listener that is down means retry', async () => {
    const port = await freePort();
    const result = await createSender(parseDestination(`syslog+tcp://127.0.0.1:${port}`), ctx).send(alert);
    expect(result).toMatchObject({ status: 'retry', error: expect.stringMatching(/ECONNREFUSED/) });
  });

  it('format=cef puts a CEF record in the MSG, with header and extension escaping', async () => {
    const server = netServer();
    const frames = streamListener(server);
    const port = await listen(server);
    const cef = createAlert(finding({ title: 'Spray | from=one\\IP', severity: 'critical' }), 'escalated', T0);
    expect(await createSender(parseDestination(`syslog+tcp://127.0.0.1:${port}?format=cef`), ctx).send(cef)).toEqual({ status: 'delivered' });
    const m = parse5424(octetFrames(await frames.next())[0]);
    expect(m.pri).toBe(10 * 8 + 2);
    const header = 'CEF:0|docspace-logins|docspace-logins|0.1.0|DSL-003|Spray \\| from=one\\\\IP|10|';
    expect(m.msg.startsWith(header)).toBe(true);
    // A bare | is legal in the extension: only the header escapes it.
    const ext = m.msg.slice(header.length);
    expect(ext).toContain(`rt=${T0} start=${T0 - 20 * 60_000} end=${T0 - 60_000} cnt=18 externalId=dsl-003:198.51.100.7:1 src=198.51.100.7`);
    expect(ext).toContain('msg=Spray | from\\=one\\\\IP');
    expect(ext).toContain('cs1Label=rule cs1=DSL-003');
    expect(ext).toContain('cs4Label=reason cs4=escalated');
    expect(ext).toContain('cs6Label=eventIds cs6=81234,81235,81240');
  });
});

describe('syslog over UDP', () => {
  it('sends one datagram holding one RFC 5424 message, no framing', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    closers.push(() => socket.close());
    const got = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    const { port } = socket.address();
    expect(await createSender(parseDestination(`syslog+udp://127.0.0.1:${port}`), ctx).send(alert)).toEqual({ status: 'delivered' });
    const m = parse5424((await got).toString('utf8'));
    expect(m.msgId).toBe('DSL-003');
    expect(JSON.parse(m.msg).type).toBe('docspace_logins.alert.new');
  });

  it('an alert too big for a datagram goes out as the one-line summary', async () => {
    const socket = createSocket('udp4');
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
    closers.push(() => socket.close());
    const got = new Promise<Buffer>((resolve) => socket.once('message', resolve));
    const big = createAlert(finding({ eventIds: Array.from({ length: 400 }, (_, i) => 1_000_000 + i) }), 'new', T0);
    await createSender(parseDestination(`syslog+udp://127.0.0.1:${socket.address().port}`), ctx).send(big);
    const data = await got;
    expect(data.length).toBeLessThanOrEqual(2048);
    expect(parse5424(data.toString('utf8')).msg).toBe('[HIGH] New: Password spray from one IP (198.51.100.7, 18 events)');
  });
});
