/**
 * A loopback HTTP server that answers from a script, for the client behaviours the emulator
 * does not produce on demand (exact header sequences, HTML pages, hangs).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Responder = (req: IncomingMessage, res: ServerResponse, n: number) => void;

export interface ScriptedServer {
  url: string;
  requests: Array<{ method: string; url: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export async function scriptedServer(responders: Responder[] | Responder): Promise<ScriptedServer> {
  const requests: ScriptedServer['requests'] = [];
  const server = createServer((req, res) => {
    const n = requests.length;
    requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
    const r = Array.isArray(responders) ? responders[Math.min(n, responders.length - 1)] : responders;
    r(req, res, n);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export const envelope =
  (response: unknown, status = 200): Responder =>
  (req, res) => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' });
    res.end(
      JSON.stringify({
        response,
        count: Array.isArray(response) ? response.length : 1,
        links: [{ href: `http://x${req.url}`, action: req.method }],
        status: 0,
        statusCode: status,
      }),
    );
  };

export const empty =
  (status: number, headers: Record<string, string> = {}): Responder =>
  (_req, res) => {
    res.writeHead(status, headers);
    res.end();
  };

export const body =
  (status: number, contentType: string, text: string): Responder =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(text);
  };

/** `count` synthetic login events, newest first, one second apart, ids descending. */
export function syntheticEvents(count: number, newest = Date.UTC(2026, 0, 1)) {
  return Array.from({ length: count }, (_, i) => ({
    id: count - i,
    date: new Date(newest - i * 1000).toISOString().replace(/\.\d{3}Z$/, '.0000000Z'),
    user: 'Anna Schmidt',
    userId: '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01',
    action: 'Successful Login via API',
    actionId: 1010,
    ip: '203.0.113.24',
    country: '',
    city: '',
  }));
}

/** A responder for `login/filter` that windows `events` by `startIndex` and `count`, as the portal does. */
export const loginFilter =
  (events: unknown[]): Responder =>
  (req, res, n) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const start = Math.max(0, Number(q.get('startIndex') ?? 0));
    const count = Number(q.get('count') ?? 100);
    envelope(events.slice(start, start + count))(req, res, n);
  };
