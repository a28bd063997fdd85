/** The node:http side of the app: an IncomingMessage as an EmulatorRequest, and writing the answer. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { EmulatorRequest, EmulatorResponse } from './context.js';

export function fromNode(req: IncomingMessage): EmulatorRequest {
  const host = req.headers.host ?? `${req.socket.localAddress}:${req.socket.localPort}`;
  return {
    method: req.method ?? 'GET',
    target: req.url ?? '/',
    origin: `http://${host}`,
    header: (name) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(', ') : v;
    },
    remoteAddress: req.socket.remoteAddress ?? '',
    text: (limit) => readBody(req, limit),
  };
}

function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

export function toNode(res: ServerResponse, req: IncomingMessage, answer: EmulatorResponse): void {
  if (answer.drop) {
    req.socket.destroy();
    return;
  }
  if (res.headersSent) return;
  res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
  res.end(answer.body);
}
