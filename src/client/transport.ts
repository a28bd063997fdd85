/**
 * The one function that talks to the network: an HTTP(S) request over Node's own keep-alive
 * agent (a pool of `maxSockets` connections per portal, a private CA when given, a time-out per
 * request). Node's built-in client does all of this without the ~20 MB resident cost of a
 * separate HTTP library, which matters for a tool that streams millions of events.
 */
import http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';

// TLS and crypto are loaded for the first https:// portal only: a loopback emulator or a plain
// http:// portal then starts ~40 ms sooner.
const load = createRequire(import.meta.url);
let httpsModule: typeof https | undefined;
const httpsLib = () => (httpsModule ??= load('node:https') as typeof https);

export interface TransportOptions {
  connections: number;
  timeoutMs: number;
  ca?: string;
}

export interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

export class TimeoutError extends Error {
  readonly code = 'ETIMEDOUT';
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private httpsAgentInstance: https.Agent | undefined;
  private readonly common: http.AgentOptions;

  constructor(private readonly opts: TransportOptions) {
    this.common = { keepAlive: true, maxSockets: opts.connections, keepAliveMsecs: 30_000 };
    this.httpAgent = new http.Agent(this.common);
  }

  private get httpsAgent(): https.Agent {
    this.httpsAgentInstance ??= new (httpsLib().Agent)({ ...this.common, ca: this.opts.ca });
    return this.httpsAgentInstance;
  }

  send(method: string, url: URL, headers: Record<string, string>, body?: string): Promise<RawResponse> {
    const secure = url.protocol === 'https:';
    const lib = secure ? httpsLib() : http;
    return new Promise<RawResponse>((resolve, reject) => {
      const req = lib.request(
        url,
        {
          method,
          headers: body !== undefined ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      // No byte for `timeoutMs` (while connecting, waiting or reading) ends the request.
      req.setTimeout(this.opts.timeoutMs, () => {
        req.destroy(new TimeoutError(`no answer within ${this.opts.timeoutMs} ms`));
      });
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgentInstance?.destroy();
  }
}
