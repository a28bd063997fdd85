/**
 * A loopback proxy in front of a portal (usually the emulator) that rewrites the login events it
 * serves: a broken or hostile server, made from a faithful one by changing one thing. It can also
 * tell a test which requests arrived, in order, with their queries (the emulator counts paths).
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export type EventRewrite = (event: Record<string, unknown>) => Record<string, unknown>;

export interface RewritingProxy {
  url: string;
  close(): Promise<void>;
}

/** `seen`: told each request's method and URL (path and query) as it arrives. */
export async function rewritingProxy(
  target: string,
  rewrite: EventRewrite,
  seen?: (request: string) => void,
): Promise<RewritingProxy> {
  const upstream = new URL(target);
  const server = createServer((req, res) => {
    seen?.(`${req.method} ${req.url}`);
    const out = request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers },
      (up) => {
        const chunks: Buffer[] = [];
        up.on('error', () => res.destroy());
        up.on('data', (c: Buffer) => chunks.push(c));
        up.on('end', () => {
          let body = Buffer.concat(chunks);
          if (up.statusCode === 200 && req.url?.includes('/security/audit/login/')) {
            const json = JSON.parse(body.toString('utf8')) as { response?: unknown };
            if (Array.isArray(json.response)) json.response = json.response.map(rewrite);
            body = Buffer.from(JSON.stringify(json));
          }
          const headers = { ...up.headers, 'content-length': String(body.length) };
          delete headers['transfer-encoding'];
          res.writeHead(up.statusCode ?? 502, headers);
          res.end(body);
        });
      },
    );
    // The client may give up (exit 5 on a bad event) and the test close the upstream while pages are
    // still in flight: a failed upstream ends this one response instead of crashing the test run.
    out.on('error', () => res.destroy());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
