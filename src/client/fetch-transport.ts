/**
 * The client's transport over a web `fetch(Request) → Response` function: the emulator's
 * in-memory app, a test double, or `globalThis.fetch`. Same guards as the socket transport: a
 * deadline on the whole response, a body cap, redirects returned (never followed).
 */
import { type HttpSend, MAX_BODY_BYTES, TransportFailure } from './transport.js';

export type FetchLike = (request: Request) => Promise<Response>;

export function fetchTransport(fetch: FetchLike, opts: { timeoutMs: number; maxBodyBytes?: number }): HttpSend {
  const max = opts.maxBodyBytes ?? MAX_BODY_BYTES;
  return async ({ method, url, headers, body }) => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const failure = new TransportFailure('ETIMEDOUT', `no complete answer within ${opts.timeoutMs} ms`);
        controller.abort(failure);
        reject(failure);
      }, opts.timeoutMs);
    });
    try {
      return await Promise.race([exchange(), deadline]);
    } finally {
      clearTimeout(timer);
    }

    async function exchange() {
      const res = await fetch(new Request(url, { method, headers, body, redirect: 'manual', signal: controller.signal }));
      const declared = Number(res.headers.get('content-length'));
      if (declared > max) {
        await res.body?.cancel();
        throw new TransportFailure('ERESPONSETOOLARGE', `declared ${declared} B`, max);
      }
      const decoder = new TextDecoder();
      let text = '';
      let bytes = 0;
      if (res.body) {
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          bytes += chunk.byteLength;
          if (bytes > max) {
            controller.abort();
            throw new TransportFailure('ERESPONSETOOLARGE', `more than ${max} B`, max);
          }
          text += decoder.decode(chunk, { stream: true });
        }
      }
      const out: Record<string, string> = {};
      res.headers.forEach((v, k) => {
        out[k] = v;
      });
      return { status: res.status, headers: out, body: text + decoder.decode() };
    }
  };
}
