/** The dashboard on a socket: node:http in front of the app's `fetch`. Only `serve` calls this. */
/* global Request */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import type { DashboardApp } from './app.js';

export interface RunningDashboard {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const MAX_BODY = 64 * 1024;

async function toRequest(req: IncomingMessage, origin: string): Promise<Request> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) {
    if (Array.isArray(v)) for (const one of v) headers.append(k, one);
    else if (v !== undefined) headers.set(k, v);
  }
  let body: Buffer | undefined;
  if (req.method === 'POST') {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      size += (chunk as Buffer).length;
      if (size > MAX_BODY) throw new Error('request body too large');
      chunks.push(chunk as Buffer);
    }
    body = Buffer.concat(chunks);
  }
  return new Request(new URL(req.url ?? '/', origin), { method: req.method, headers, body });
}

async function send(res: ServerResponse, answer: Response): Promise<void> {
  const headers: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (name !== 'set-cookie') headers[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length) headers['set-cookie'] = cookies;
  res.writeHead(answer.status, headers);
  if (!answer.body) {
    res.end();
    return;
  }
  const body = Readable.fromWeb(answer.body as import('node:stream/web').ReadableStream);
  body.on('error', () => res.destroy());
  body.pipe(res);
}

export function startDashboard(app: DashboardApp, opts: { host: string; port: number; scheme?: 'http' }): Promise<RunningDashboard> {
  return new Promise((resolve, reject) => {
    const server = createServer((req, res) => {
      const origin = `http://${req.headers.host ?? `${opts.host}:${opts.port}`}`;
      toRequest(req, origin)
        .then((request) => app.fetch(request))
        .then((answer) => send(res, answer))
        .catch(() => {
          if (!res.headersSent) res.writeHead(400, { 'content-type': 'text/plain' });
          res.end('Bad request\n');
        });
    });
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => {
      const { port } = server.address() as AddressInfo;
      const host = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
      resolve({
        url: `http://${host}:${port}/`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
