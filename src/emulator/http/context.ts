/**
 * The request and response the emulator's pipeline works on, independent of node:http and of
 * WHATWG fetch (node.ts and fetch.ts adapt the two), and the per-request context handlers get.
 */
import type { EmulatorPerson } from '../data/people.js';
import type { ApiKey, Session } from '../security/index.js';

export interface EmulatorRequest {
  method: string;
  /** Path and query as sent (`/api/2.0/people?count=5`). */
  target: string;
  /** `http://host:port` the request was addressed to. */
  origin: string;
  /** Header value by lower-case name. */
  header(name: string): string | undefined;
  /** The peer's address (`127.0.0.1`, `::1`, `::ffff:10.0.0.1`). */
  remoteAddress: string;
  /** The body as text, or undefined when it is larger than `limit` bytes. */
  text(limit: number): Promise<string | undefined>;
}

export interface EmulatorResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** Cut the connection instead of answering (a fault). */
  drop?: boolean;
}

/** Who made the request, as the server's authentication handlers decide it. */
export interface Identity {
  person: EmulatorPerson;
  /** The API key used, whose scopes the route checks (sessions and Basic have them all). */
  key?: ApiKey;
  /** The session behind a token or cookie. */
  session?: { token: string; session: Session };
  via: 'apiKey' | 'token' | 'cookie' | 'basic';
}

export interface Ctx {
  req: EmulatorRequest;
  url: URL;
  /** Query parameters by lower-case name, first value. */
  query: Map<string, string>;
  origin: string;
  /** The full request URL, echoed in the envelope's `links`. */
  href: string;
  /** `performance.now()` at arrival, for Server-Timing. */
  started: number;
  /** The route pattern's captures, decoded. */
  params: string[];
  identity?: Identity;
  /** The client address as the server records it. */
  ip: string;
  /** Headers every response to this request carries (a login's cookie). */
  headers: Record<string, string>;
}

export function createCtx(req: EmulatorRequest, started: number): Ctx {
  const url = new URL(req.target, req.origin);
  const query = new Map<string, string>();
  for (const [k, v] of url.searchParams) if (!query.has(k.toLowerCase())) query.set(k.toLowerCase(), v);
  // MessageSettings.GetIP: the `request-x-real-ip` query parameter overrides the address. Behind
  // its proxy the server trusts X-Forwarded-For from loopback only, and takes its first entry.
  const forwarded = isLoopback(req.remoteAddress)
    ? req.header('x-forwarded-for')?.split(',')[0]?.trim() || undefined
    : undefined;
  const ip = query.get('request-x-real-ip') ?? forwarded ?? req.remoteAddress;
  return { req, url, query, origin: req.origin, href: req.origin + req.target, started, params: [], ip, headers: {} };
}

/** Every value of a query parameter, by case-insensitive name (also `name[]`). */
export function queryAll(ctx: Ctx, name: string): string[] {
  const wanted = name.toLowerCase();
  return [...ctx.url.searchParams]
    .filter(([k]) => k.toLowerCase() === wanted || k.toLowerCase() === `${wanted}[]`)
    .map(([, v]) => v);
}

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || /^(::ffff:)?127\./.test(address);
}
