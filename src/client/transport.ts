/**
 * The one function that talks to the network: an HTTP(S) request over Node's own keep-alive
 * agent (a pool of `maxSockets` connections per portal, a private CA when given). Node's built-in
 * client does all of this without the ~20 MB resident cost of a separate HTTP library, which
 * matters for a tool that streams millions of events.
 *
 * Three guards a hostile or broken server cannot get past: a deadline on the whole response
 * (a server dripping one byte a second never trips an idle timer), a cap on the body size, and a
 * body that ends before its end is reported as cut off rather than accepted or timed out.
 */
import http from 'node:http';
import type https from 'node:https';
import { createRequire } from 'node:module';
import { StringDecoder } from 'node:string_decoder';

// TLS and crypto are loaded for the first https:// portal only: a loopback emulator or a plain
// http:// portal then starts ~40 ms sooner.
const load = createRequire(import.meta.url);
let httpsModule: typeof https | undefined;
const httpsLib = () => (httpsModule ??= load('node:https') as typeof https);

/**
 * The largest body we accept. A page of 100 login events is about 45 KB and a page of 100 full
 * people profiles about 200 KB; 4 MB is twenty times that, yet 40 requests in flight still hold
 * at most 160 MB, so a server that streams without end cannot exhaust memory.
 */
export const MAX_BODY_BYTES = 4 * 1_048_576;

export interface HttpRequest {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string;
  /**
   * The caller no longer wants the answer: the client's layers do not send a request still
   * waiting for a slot, a pause or a retry (one already on the wire is left to finish).
   */
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** `send(request) → response`: the function every layer of the client wraps. */
export type HttpSend = (request: HttpRequest) => Promise<HttpResponse>;

export interface TransportOptions {
  connections: number;
  /** Deadline for the whole exchange: connect, headers and body. */
  timeoutMs: number;
  ca?: string;
  maxBodyBytes?: number;
}

/** A failure the transport itself detected; `code` is what `networkError` classifies. */
export class TransportFailure extends Error {
  constructor(
    readonly code: 'ETIMEDOUT' | 'ERESPONSETOOLARGE' | 'ECUTOFF',
    message: string,
    readonly limit?: number,
  ) {
    super(message);
  }
}

export class Transport {
  private readonly httpAgent: http.Agent;
  private httpsAgentInstance: https.Agent | undefined;
  private readonly common: http.AgentOptions;
  private readonly maxBodyBytes: number;

  constructor(private readonly opts: TransportOptions) {
    this.common = { keepAlive: true, maxSockets: opts.connections, keepAliveMsecs: 30_000 };
    this.httpAgent = new http.Agent(this.common);
    this.maxBodyBytes = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  }

  private get httpsAgent(): https.Agent {
    this.httpsAgentInstance ??= new (httpsLib().Agent)({ ...this.common, ca: this.opts.ca });
    return this.httpsAgentInstance;
  }

  readonly send: HttpSend = ({ method, url, headers, body }) => {
    const secure = url.protocol === 'https:';
    const lib = secure ? httpsLib() : http;
    const max = this.maxBodyBytes;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      // The first reason we chose to abort wins over the socket errors the abort itself causes.
      let failure: TransportFailure | undefined;
      const abort = (f: TransportFailure) => {
        failure ??= f;
        req.destroy(f);
      };
      const settle = (err: Error | undefined, value?: HttpResponse) => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        if (err) reject(failure ?? err);
        else resolve(value!);
      };
      const cutOff = () => new TransportFailure('ECUTOFF', 'connection closed mid-response');
      const req = lib.request(
        url,
        {
          method,
          headers: body !== undefined ? { ...headers, 'content-length': Buffer.byteLength(body) } : headers,
          agent: secure ? this.httpsAgent : this.httpAgent,
        },
        (res) => {
          const declared = Number(res.headers['content-length']);
          if (declared > max) {
            abort(new TransportFailure('ERESPONSETOOLARGE', `declared ${declared} B`, max));
            return;
          }
          // Each chunk is decoded once and dropped: the body is never held as bytes and text at once.
          const decoder = new StringDecoder('utf8');
          let text = '';
          let bytes = 0;
          res.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            if (bytes > max) {
              abort(new TransportFailure('ERESPONSETOOLARGE', `more than ${max} B`, max));
              return;
            }
            text += decoder.write(chunk);
          });
          res.on('end', () => settle(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: text + decoder.end() }));
          // Any error once the headers are in means the body stopped before its end.
          res.on('error', () => settle(cutOff()));
          res.on('close', () => {
            if (!res.complete) settle(cutOff());
          });
        },
      );
      const deadline = setTimeout(() => {
        abort(new TransportFailure('ETIMEDOUT', `no complete answer within ${this.opts.timeoutMs} ms`));
      }, this.opts.timeoutMs);
      req.on('error', (err) => settle(err));
      req.end(body);
    });
  };

  close(): void {
    this.httpAgent.destroy();
    this.httpsAgentInstance?.destroy();
  }
}
