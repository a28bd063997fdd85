/**
 * The DocSpace API client: typed endpoint methods over one `send` function wrapped in layers
 * (`send.ts`: transport → pause → limit → retry). The transport is Node's HTTP client, or any
 * `fetch(Request) → Response` given as `send` (the emulator's in-memory app, a test double).
 */
import { setImmediate } from 'node:timers/promises';
import type { output } from 'zod/v4/core';
import type { ZodMiniType } from './zod.js';
import { AuthenticationError, NotDocSpaceError, ResponseShapeError, UsageError } from '../errors/index.js';
import type { RawLoginEvent } from '../model/event.js';
import { isGuid } from '../model/ids.js';
import { toQueryDate } from '../model/time.js';
import { assertApiKeyFormat, assertSafeTransport, type ConnectionSettings } from './config.js';
import { readEnvelope, unwrapEnvelope } from './envelope.js';
import { type FetchLike, fetchTransport } from './fetch-transport.js';
import { pagePeople } from './people-pages.js';
import { Redactor } from './redact.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import {
  type ActiveConnections,
  type AuditSettings,
  activeConnectionsSchema,
  auditSettingsSchema,
  authTokenSchema,
  describeIssue,
  type EventParse,
  type Person,
  parseLoginEvent,
  personListSchema,
  personSchema,
  type Quota,
  quotaSchema,
} from './schemas.js';
import { type ClientStats, type Exchange, layeredSend, type WaitNotice } from './send.js';
import type { ThreadClient } from './thread-client.js';
import { Transport } from './transport.js';

export type { ClientStats, WaitNotice };
export { describeWait } from './send.js';

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 40;
/** The server caps `count` at 100 (and answers 400 above it). */
export const MAX_PAGE_SIZE = 100;

export interface ClientOptions extends ConnectionSettings {
  /** Requests in flight at once (default 8, at most 40: the server allows 50 concurrent GETs per user). */
  concurrency?: number;
  /** Deadline for each whole response, headers and body, in milliseconds (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Talk through this `fetch` instead of the network (the emulator's `app.fetch`, a test double). */
  send?: FetchLike;
  /** Injected for tests: time and waiting. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Diagnostic lines (already redacted), e.g. for `--debug`. */
  onDebug?: (line: string) => void;
  /** The client is about to wait (rate limit, server request, back-off): see `describeWait`. */
  onWait?: (notice: WaitNotice) => void;
  userAgent?: string;
}

export interface FilterQuery {
  startIndex?: number;
  count?: number;
  userId?: string;
  action?: number;
  from?: number;
  to?: number;
}

export interface Page<T> {
  items: T[];
  /** Raw items that failed validation, with the reason (never silently dropped). */
  invalid: Array<{ reason: string; raw: unknown }>;
}

type Query = Record<string, string | number | undefined>;

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DocSpaceClient {
  readonly portal: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, waitedMs: 0 };
  readonly concurrency: number;
  private readonly redactor = new Redactor();
  private readonly transport?: Transport;
  private readonly send: ReturnType<typeof layeredSend>;
  private readonly onDebug?: (line: string) => void;
  private readonly userAgent: string;
  private authHeader?: string;
  private sessionToken?: string;
  private readonly closing = new AbortController();
  private login?: Promise<string>;

  constructor(private readonly options: ClientOptions) {
    assertSafeTransport(options);
    this.portal = options.portal;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
    }
    this.concurrency = concurrency;
    const timeoutMs = options.timeoutMs ?? 30_000;
    this.onDebug = options.onDebug;
    this.userAgent = options.userAgent ?? 'docspace-logins';
    const c = options.credentials;
    if (c.kind === 'apiKey') {
      this.redactor.add(c.apiKey);
      assertApiKeyFormat(c.apiKey);
      // Exactly "Bearer" and one space: any other spelling reaches the cookie handler and fails.
      this.authHeader = `Bearer ${c.apiKey}`;
    } else if (c.kind === 'token') {
      this.redactor.add(c.token);
      this.authHeader = c.token;
      this.sessionToken = c.token;
    } else {
      this.redactor.add(c.password);
    }
    let transport;
    if (options.send) {
      transport = fetchTransport(options.send, { timeoutMs });
    } else {
      this.transport = new Transport({ connections: concurrency, timeoutMs, ca: options.ca });
      transport = this.transport.send;
    }
    this.send = layeredSend({
      transport,
      concurrency,
      policy: { ...DEFAULT_RETRY, ...options.retry },
      portal: this.portal,
      timeoutMs,
      now: options.now ?? Date.now,
      sleep: options.sleep ?? defaultSleep,
      random: options.random ?? Math.random,
      redact: (s) => this.redactor.redact(s),
      stats: this.stats,
      debug: (line) => this.debug(line),
      onWait: options.onWait,
      closed: this.closing.signal,
    });
  }

  /**
   * What another thread needs to make the same client, and where its diagnostics and wait
   * notices go here; undefined when this client cannot be made again there: it talks through
   * injected functions (a test's `send`, clocks), or signs in with a password (a second sign-in
   * would write a login event into the history it reads).
   */
  forThread(): ThreadClient | undefined {
    const o = this.options;
    if (o.send || o.sleep || o.now || o.random || o.credentials.kind === 'password') return undefined;
    return {
      options: {
        portal: o.portal,
        credentials: o.credentials,
        ca: o.ca,
        allowInsecureHttp: o.allowInsecureHttp,
        concurrency: this.concurrency,
        timeoutMs: o.timeoutMs,
        retry: o.retry,
        userAgent: this.userAgent,
      },
      onDebug: this.onDebug ? (line) => this.debug(line) : undefined,
      onWait: o.onWait,
    };
  }

  /** Remove every secret this client knows from a piece of text. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  /** Ends every request still waiting or retrying, and the connections. */
  async close(): Promise<void> {
    this.closing.abort();
    this.transport?.close();
  }

  private debug(line: string): void {
    this.onDebug?.(this.redactor.redact(line));
  }

  private url(path: string, query?: Query): URL {
    const url = new URL(`${this.portal}/api/2.0/${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      // URLSearchParams percent-encodes `+` in offsets, which the server would otherwise read as a space.
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { accept: 'application/json', 'user-agent': this.userAgent, ...extra };
  }

  private async auth(): Promise<string> {
    if (this.authHeader) return this.authHeader;
    const c = this.options.credentials;
    if (c.kind !== 'password') throw new AuthenticationError('No credentials');
    this.login ??= this.authenticate(c.userName, c.password).then((token) => {
      this.authHeader = token;
      this.sessionToken = token;
      return token;
    });
    return this.login;
  }

  /**
   * `POST /authentication`: exchanges an e-mail address (or user GUID) and password for a
   * session token. Never retried automatically (a POST may have had its effect).
   */
  async authenticate(userName: string, password: string): Promise<string> {
    const url = this.url('authentication');
    const login = userName.trim();
    let outcome: Exchange;
    try {
      outcome = await this.send({
        method: 'POST',
        url,
        headers: this.headers({ 'content-type': 'application/json' }),
        body: JSON.stringify({ userName: login, password }),
      });
    } catch (err) {
      if (err instanceof AuthenticationError && err.details.status === 401) {
        // The server matches only the e-mail or the GUID; a user name fails like a wrong password.
        const hint =
          login.includes('@') || isGuid(login)
            ? 'check DOCSPACE_USER and DOCSPACE_PASSWORD'
            : `DOCSPACE_USER "${login}" looks like a user name, which DocSpace does not accept: use the e-mail address (check DOCSPACE_USER and DOCSPACE_PASSWORD)`;
        throw new AuthenticationError(`${this.portal} refused the user name or password (401): ${hint}`, err.details);
      }
      throw err;
    }
    const data = unwrapEnvelope(this.portal, outcome, authTokenSchema);
    if (!data.token) {
      throw new AuthenticationError(
        'The portal asks for a second factor (SMS or authenticator app): create an API key instead and set DOCSPACE_API_KEY',
      );
    }
    this.redactor.add(data.token);
    return data.token;
  }

  /**
   * `POST /authentication/logout`: ends the session made by a password login (or given as a
   * token). The server deactivates only the session named by the `asc_auth_key` cookie, not one
   * sent in `Authorization`, so the token goes in the cookie. Nothing to do for an API key.
   */
  async logout(): Promise<void> {
    const token = this.sessionToken;
    if (!token) return;
    await this.send({
      method: 'POST',
      url: this.url('authentication/logout'),
      headers: this.headers({ cookie: `asc_auth_key=${encodeURIComponent(token)}` }),
      body: '',
    });
    this.sessionToken = undefined;
    this.authHeader = undefined;
    this.login = undefined;
  }

  private async getExchange(url: URL, signal?: AbortSignal): Promise<Exchange> {
    // Credentials first, outside the retries: a refused login is not worth repeating.
    const auth = await this.auth();
    return this.send({ method: 'GET', url, headers: this.headers({ authorization: auth }), signal });
  }

  async get<S extends ZodMiniType>(
    path: string,
    schema: S,
    query?: Record<string, string | number | undefined>,
  ): Promise<output<S>> {
    const outcome = await this.getExchange(this.url(path, query));
    return unwrapEnvelope(this.portal, outcome, schema);
  }

  /**
   * A write (`PUT`, `POST`, `DELETE`) with a JSON body: never retried, since it may have had its
   * effect. Answers the envelope's `response`, which some actions leave out (`logoutall`: `count: 0`).
   */
  async write(method: 'PUT' | 'POST' | 'DELETE', path: string, body?: unknown): Promise<unknown> {
    const auth = await this.auth();
    const headers = this.headers({ authorization: auth, 'content-type': 'application/json' });
    const text = body === undefined ? '' : JSON.stringify(body);
    const outcome = await this.send({ method, url: this.url(path), headers, body: text });
    return readEnvelope(this.portal, outcome, true).response;
  }

  private async eventPage(path: string, query?: Query, signal?: AbortSignal) {
    const outcome = await this.getExchange(this.url(path, query), signal);
    // The page's CPU work (the JSON, the checks) waits for the next turn of the event loop, so
    // that a request queued for the slot this answer freed goes out first: with a pipeline of
    // pages, a new request would otherwise wait for every page that arrived before it.
    await setImmediate();
    const payload = readEnvelope(this.portal, outcome).response;
    if (!Array.isArray(payload)) {
      throw new ResponseShapeError(`Unexpected response from ${this.portal} for ${outcome.request}: not a list`, {
        request: outcome.request,
      });
    }
    const page: Page<RawLoginEvent> = { items: [], invalid: [] };
    for (const raw of payload) {
      const r: EventParse = parseLoginEvent(raw);
      if (r.ok) page.items.push(r.event);
      else page.invalid.push({ reason: r.reason, raw: r.raw });
    }
    return page;
  }

  /** `GET security/audit/login/last`: the 20 newest events (no parameters). */
  lastEvents(): Promise<Page<RawLoginEvent>> {
    return this.eventPage('security/audit/login/last');
  }

  /**
   * `GET security/audit/login/filter`. Beware: the server windows the *unfiltered* list first
   * (startIndex/count) and only then applies userId/action/from/to, so a filtered page may be
   * empty while matches exist further back. The history reader pages unfiltered for that reason.
   */
  filterEvents(q: FilterQuery = {}, signal?: AbortSignal): Promise<Page<RawLoginEvent>> {
    const count = q.count ?? MAX_PAGE_SIZE;
    if (count < 1 || count > MAX_PAGE_SIZE) throw new UsageError(`count must be 1..${MAX_PAGE_SIZE}`);
    const query = {
      startIndex: q.startIndex && q.startIndex > 0 ? q.startIndex : undefined,
      count,
      userId: q.userId,
      action: q.action,
      from: q.from !== undefined ? toQueryDate(q.from) : undefined,
      to: q.to !== undefined ? toQueryDate(q.to) : undefined,
    };
    return this.eventPage('security/audit/login/filter', query, signal);
  }

  /** `GET security/audit/settings/lifetime`: how many days the portal keeps login history. */
  auditSettings(): Promise<AuditSettings> {
    return this.get('security/audit/settings/lifetime', auditSettingsSchema);
  }

  /** `GET portal/quota`: the plan's features; `audit` decides whether `login/filter` works. */
  quota(): Promise<Quota> {
    return this.get('portal/quota', quotaSchema);
  }

  /** `GET people/{id}` by GUID or user name; undefined when the portal says it does not exist. */
  async person(idOrName: string): Promise<Person | undefined> {
    try {
      return await this.get(`people/${encodeURIComponent(idOrName)}`, personSchema);
    } catch (err) {
      if (err instanceof NotDocSpaceError && err.details.status === 404 && err.details.serverMessage) {
        return undefined;
      }
      throw err;
    }
  }

  /** One page of `GET people` (active members) with the server's `total`. */
  async peoplePage(startIndex: number, count = MAX_PAGE_SIZE): Promise<{ items: Person[]; total?: number }> {
    const outcome = await this.getExchange(this.url('people', { startIndex, count }));
    const { response, total } = readEnvelope(this.portal, outcome);
    const items = personListSchema.safeParse(response);
    if (!items.success) {
      throw new ResponseShapeError(
        `Unexpected people list from ${this.portal}: ${describeIssue(items.error)}`,
        { request: outcome.request },
      );
    }
    return { items: items.data, total };
  }

  /** Every active member, paged by 100 using the envelope's `total` (see `pagePeople`). */
  people(): AsyncGenerator<Person> {
    return pagePeople((start) => this.peoplePage(start, MAX_PAGE_SIZE), MAX_PAGE_SIZE, this.portal);
  }

  /** `GET security/activeconnections` for the authenticated user. */
  activeConnections(): Promise<ActiveConnections> {
    return this.get('security/activeconnections', activeConnectionsSchema);
  }
}
