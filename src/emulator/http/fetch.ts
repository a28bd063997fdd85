/** The WHATWG side of the app: a Request as an EmulatorRequest and the answer as a Response, no socket. */
/* global Request, Response */
import type { EmulatorRequest, EmulatorResponse } from './context.js';

export function fromFetch(request: Request, remoteAddress: string): EmulatorRequest {
  const url = new URL(request.url);
  return {
    method: request.method,
    target: url.pathname + url.search,
    origin: url.origin,
    header: (name) => request.headers.get(name) ?? undefined,
    remoteAddress,
    text: async (limit) => {
      const text = await request.text();
      return Buffer.byteLength(text) > limit ? undefined : text;
    },
  };
}

export function toFetch(answer: EmulatorResponse): Response {
  // A cut connection looks to a fetch caller like undici's network failure.
  if (answer.drop) throw new TypeError('fetch failed', { cause: new Error('other side closed') });
  return new Response(answer.body === '' ? null : answer.body, { status: answer.status, headers: answer.headers });
}
