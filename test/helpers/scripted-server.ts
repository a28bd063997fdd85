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
