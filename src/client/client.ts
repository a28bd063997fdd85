/**
 * The DocSpace API client: one `send` function wrapped in layers — concurrency limit, shared
 * rate-limit pause, retry with back-off — and typed endpoint methods on top.
 */
import pLimit from 'p-limit';
import type { z } from 'zod';
import type { RawLoginEvent } from '../model/event.js';
import { toQueryDate } from '../model/time.js';
import { assertSafeTransport, type ConnectionSettings } from './config.js';
import { AuthenticationError, NotDocSpaceError, ResponseShapeError, UsageError } from './errors.js';
import { errorForStatus, looksLikeHtml, networkError } from './http.js';
import { Redactor, safeUrl } from './redact.js';
import { backoffMs, DEFAULT_RETRY, type RetryPolicy, serverWaitMs } from './retry.js';
import {
  type ActiveConnections,
  type AuditSettings,
  activeConnectionsSchema,
  auditSettingsSchema,
  authTokenSchema,
  describeIssue,
  type EventParse,
  envelopeSchema,
  type Person,
  parseLoginEvent,
  personSchema,
  type Quota,
  quotaSchema,
} from './schemas.js';
import { Transport } from './transport.js';

export const DEFAULT_CONCURRENCY = 8;
export const MAX_CONCURRENCY = 40;
/** The server caps `count` at 100 (and answers 400 above it). */
export const MAX_PAGE_SIZE = 100;

export interface ClientOptions extends ConnectionSettings {
  /** Requests in flight at once (default 8, at most 40: the server allows 50 concurrent GETs per user). */
  concurrency?: number;
  /** Per-request time-out in milliseconds (default 30 s). */
  timeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** Injected for tests: time and waiting. */
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  random?: () => number;
  /** Diagnostic lines (already redacted), e.g. for `--debug`. */
  onDebug?: (line: string) => void;
  userAgent?: string;
}

export interface ClientStats {
  requests: number;
  retries: number;
  /** Milliseconds spent waiting for rate limits and back-off. */
  waitedMs: number;
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

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export class DocSpaceClient {
  readonly portal: string;
  readonly stats: ClientStats = { requests: 0, retries: 0, waitedMs: 0 };
  readonly concurrency: number;
  private readonly redactor = new Redactor();
  private readonly transport: Transport;
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly policy: RetryPolicy;
  private readonly timeoutMs: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly onDebug?: (line: string) => void;
  private readonly userAgent: string;
  private pausedUntil = 0;
  private authHeader?: string;
  private login?: Promise<string>;

  constructor(private readonly options: ClientOptions) {
    assertSafeTransport(options);
    this.portal = options.portal;
    const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > MAX_CONCURRENCY) {
      throw new UsageError(`--concurrency must be a whole number from 1 to ${MAX_CONCURRENCY}`);
    }
    this.concurrency = concurrency;
    this.limit = pLimit(concurrency);
    this.policy = { ...DEFAULT_RETRY, ...options.retry };
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.onDebug = options.onDebug;
    this.userAgent = options.userAgent ?? 'docspace-logins';
    this.transport = new Transport({ connections: concurrency, timeoutMs: this.timeoutMs, ca: options.ca });
    const c = options.credentials;
    if (c.kind === 'apiKey') {
      this.redactor.add(c.apiKey);
      this.authHeader = `Bearer ${c.apiKey}`;
    } else if (c.kind === 'token') {
      this.redactor.add(c.token);
      this.authHeader = c.token;
    } else {
      this.redactor.add(c.password);
    }
  }

  /** Remove every secret this client knows from a piece of text. */
  redact(text: string): string {
    return this.redactor.redact(text);
  }

  async close(): Promise<void> {
    this.transport.close();
  }

  private debug(line: string): void {
    this.onDebug?.(this.redactor.redact(line));
  }

  private url(path: string, query?: Record<string, string | number | undefined>): URL {
    const url = new URL(`${this.portal}/api/2.0/${path}`);
    for (const [k, v] of Object.entries(query ?? {})) {
      // URLSearchParams percent-encodes `+` in offsets, which the server would otherwise read as a space.
      if (v !== undefined) url.searchParams.set(k, String(v));
    }
    return url;
  }

  private async auth(): Promise<string> {
    if (this.authHeader) return this.authHeader;
    const c = this.options.credentials;
    if (c.kind !== 'password') throw new AuthenticationError('No credentials');
    this.login ??= this.authenticate(c.userName, c.password).then((token) => {
      this.authHeader = token;
      return token;
    });
    return this.login;
  }

  /**
   * `POST /authentication`: exchanges a user name and password for a session token. Never
   * retried automatically (a POST may have had its effect).
   */
  async authenticate(userName: string, password: string): Promise<string> {
    const url = this.url('authentication');
    const outcome = await this.send('POST', url, undefined, JSON.stringify({ userName, password }));
    if (outcome.status !== 200) {
      if (outcome.status === 401) {
        throw new AuthenticationError(
          `${this.portal} refused the user name or password (401): check DOCSPACE_USER and DOCSPACE_PASSWORD`,
          { request: `POST ${safeUrl(url)}`, status: 401 },
        );
      }
      throw errorForStatus(outcome, this.portal);
    }
    const data = this.unwrap(outcome, authTokenSchema);
    if (!data.token) {
      throw new AuthenticationError(
        'The portal asks for a second factor (SMS or authenticator app): create an API key instead and set DOCSPACE_API_KEY',
      );
    }
    this.redactor.add(data.token);
    return data.token;
  }

  private async send(method: string, url: URL, auth: string | undefined, body?: string) {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'user-agent': this.userAgent,
    };
    if (auth) headers.authorization = auth;
    if (body !== undefined) headers['content-type'] = 'application/json';
    this.stats.requests++;
    const started = this.now();
    const res = await this.transport.send(method, url, headers, body);
    const contentType = String(res.headers['content-type'] ?? '');
    this.debug(
      `${method} ${safeUrl(url)} -> ${res.status} (${this.now() - started} ms, ${res.body.length} B)`,
    );
    return {
      status: res.status,
      contentType,
      body: res.body,
      request: `${method} ${safeUrl(url)}`,
      headers: res.headers,
    };
  }

  /** GET with concurrency limit, shared rate-limit pause and retries; returns the 200 outcome. */
  private async getOutcome(url: URL) {
    return this.limit(async () => {
      for (let attempt = 1; ; attempt++) {
        const pause = this.pausedUntil - this.now();
        if (pause > 0) {
          this.stats.waitedMs += pause;
          await this.sleep(pause);
        }
        let outcome: Awaited<ReturnType<DocSpaceClient['send']>> | undefined;
        let failure: ReturnType<typeof networkError> | undefined;
        // Credentials first, outside the network try: a refused login is not a network error.
        const auth = await this.auth();
        try {
          outcome = await this.send('GET', url, auth);
        } catch (err) {
          failure = networkError(err, this.portal, `GET ${safeUrl(url)}`, this.timeoutMs);
          this.debug(`GET ${safeUrl(url)} failed: ${(err as Error).message}`);
        }
        if (outcome && outcome.status >= 200 && outcome.status < 300) return outcome;
        const retryable = failure ? failure.retry : this.policy.statuses.includes(outcome!.status);
        if (!retryable || attempt >= this.policy.attempts) {
          throw failure ? failure.error : errorForStatus(outcome!, this.portal);
        }
        let wait = backoffMs(attempt - 1, this.policy, this.random);
        if (outcome?.status === 429) {
          const asked = serverWaitMs(outcome.headers, this.now());
          if (asked !== undefined && asked > this.policy.maxServerWaitMs) {
            const err = errorForStatus(outcome, this.portal);
            throw Object.assign(err, {
              message: `${this.portal} asks to wait ${Math.ceil(asked / 1000)} s before the next request (429): try again later`,
            });
          }
          // No header: the concurrency limiter sends none; about one second, then exponential.
          wait = asked !== undefined ? Math.max(asked, 100) : Math.max(wait, 1000);
          this.pausedUntil = Math.max(this.pausedUntil, this.now() + wait);
        }
        this.stats.retries++;
        this.stats.waitedMs += wait;
        this.debug(
          `retrying GET ${safeUrl(url)} in ${wait} ms (attempt ${attempt + 1}/${this.policy.attempts})`,
        );
        await this.sleep(wait);
      }
    });
  }

  /** Check the body is a DocSpace envelope and return its validated `response`. */
  private unwrap<S extends z.ZodType>(
    outcome: { contentType: string; body: string; request: string },
    schema: S,
  ): z.infer<S> {
    const payload = this.envelope(outcome);
    const parsed = schema.safeParse(payload);
    if (!parsed.success) {
      throw new ResponseShapeError(
        `Unexpected response from ${this.portal} for ${outcome.request}: ${describeIssue(parsed.error)}`,
        { request: outcome.request },
      );
    }
    return parsed.data;
  }

  private envelope(outcome: { contentType: string; body: string; request: string }): unknown {
    const { body, contentType, request: req } = outcome;
    if (looksLikeHtml(contentType, body)) {
      throw new NotDocSpaceError(
        `${this.portal} answered with an HTML page, not the DocSpace API: check --portal / DOCSPACE_URL`,
        { request: req },
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      throw new NotDocSpaceError(
        `${this.portal} answered with something that is not JSON: check --portal / DOCSPACE_URL`,
        { request: req },
      );
    }
    const env = envelopeSchema.safeParse(json);
    if (!env.success || !('response' in (json as object))) {
      throw new NotDocSpaceError(
        `${this.portal} answered JSON without the DocSpace envelope ("response"): check --portal / DOCSPACE_URL`,
        { request: req },
      );
    }
    return env.data.response;
  }

  async get<S extends z.ZodType>(
    path: string,
    schema: S,
    query?: Record<string, string | number | undefined>,
  ): Promise<z.infer<S>> {
    const outcome = await this.getOutcome(this.url(path, query));
    return this.unwrap(outcome, schema);
  }

  private async eventPage(path: string, query?: Record<string, string | number | undefined>) {
    const outcome = await this.getOutcome(this.url(path, query));
    const payload = this.envelope(outcome);
    if (!Array.isArray(payload)) {
      throw new ResponseShapeError(
        `Unexpected response from ${this.portal} for ${outcome.request}: not a list`,
        {
          request: outcome.request,
        },
      );
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
  filterEvents(q: FilterQuery = {}): Promise<Page<RawLoginEvent>> {
    const count = q.count ?? MAX_PAGE_SIZE;
    if (count < 1 || count > MAX_PAGE_SIZE) throw new UsageError(`count must be 1..${MAX_PAGE_SIZE}`);
    return this.eventPage('security/audit/login/filter', {
      startIndex: q.startIndex && q.startIndex > 0 ? q.startIndex : undefined,
      count,
      userId: q.userId,
      action: q.action,
      from: q.from !== undefined ? toQueryDate(q.from) : undefined,
      to: q.to !== undefined ? toQueryDate(q.to) : undefined,
    });
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
    const outcome = await this.getOutcome(this.url('people', { startIndex, count }));
    const payload = this.envelope(outcome);
    const body = JSON.parse(outcome.body) as { total?: number };
    const items = personSchema.array().safeParse(payload);
    if (!items.success) {
      throw new ResponseShapeError(
        `Unexpected people list from ${this.portal}: ${describeIssue(items.error)}`,
        { request: outcome.request },
      );
    }
    return { items: items.data, total: typeof body.total === 'number' ? body.total : undefined };
  }

  /** Every active member, paged by 100 using the envelope's `total`. */
  async *people(): AsyncGenerator<Person> {
    for (let start = 0; ; start += MAX_PAGE_SIZE) {
      const page = await this.peoplePage(start);
      yield* page.items;
      const done =
        page.items.length < MAX_PAGE_SIZE ||
        (page.total !== undefined && start + MAX_PAGE_SIZE >= page.total);
      if (done) return;
    }
  }

  /** `GET security/activeconnections` for the authenticated user. */
  activeConnections(): Promise<ActiveConnections> {
    return this.get('security/activeconnections', activeConnectionsSchema);
  }
}
