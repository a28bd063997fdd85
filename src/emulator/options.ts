/** What an emulated portal can be asked to be, and the defaults that fill the rest in. */
import { apiKeyForSeed, DEMO } from './demo.js';
import { type GeoRange, readGeoFile } from './geo.js';

/**
 * Which headers a 429 carries. `limit` (the default) is what the server's per-minute window and
 * concurrency limiters send: `X-RateLimit-Limit` and `X-RateLimit-Remaining`, nothing else. The
 * other modes exist to test clients against servers that say how long to wait: `retry-after`
 * and `reset` add `Retry-After` or `X-RateLimit-Reset` (as the server's daily POST/PUT window
 * does), `both` adds both, `none` sends no header at all.
 */
export type RateLimitHeaders = 'limit' | 'retry-after' | 'reset' | 'both' | 'none';

export interface RateLimitOptions {
  /** Requests allowed per user (or per IP when anonymous) in any sliding 60-second window. */
  perMinute: number;
  /** Which headers a per-minute rejection carries (default `limit`). */
  headers?: RateLimitHeaders;
  /** GET requests one user (or IP) may have in flight (default 50, the server's). */
  concurrentGet?: number;
  /** Other requests one user (or IP) may have in flight (default 15, the server's). */
  concurrentOther?: number;
}

export type KeyRole = 'admin' | 'roomAdmin' | 'user' | 'guest' | 'noscope' | 'expired';

export interface ExtraKey {
  key: string;
  /**
   * The key's scopes, e.g. `['*:read']` (reads only: writes get 403 with an empty body) or
   * `['*:write']`. Default: none listed, which the server treats as full access (`noscope` keys
   * get `['files:read']`, which covers none of the emulated routes).
   */
  permissions?: string[];
  /**
   * Whose key it is. `admin`: a DocSpace admin's (full access). `roomAdmin`, `user`, `guest`: a
   * member of that type, who is not an admin (403 JSON "Access denied" on login history; users
   * and guests also get 403 on people lists). `noscope`: a key without `*:read` (403, empty
   * body). `expired`: 401, empty body.
   */
  role: KeyRole;
}

/**
 * A date the real server cannot have sent, served for one event so that client tests can
 * exercise quarantine: `future` is `hours` ahead of the emulator's clock, `year-0001` is .NET's
 * DateTime.MinValue, `year-9999` its MaxValue, `bad-offset` prints the time with `+99:99`.
 */
export type OddDate =
  | { kind: 'future'; hours: number }
  | { kind: 'year-0001' }
  | { kind: 'year-9999' }
  | { kind: 'bad-offset' };

export interface EmulatorOptions {
  /** Seed for all generated data (default 1). */
  seed?: number;
  /** Members of the portal (default 40). */
  users?: number;
  /** Login events generated at start (default 5000). */
  events?: number;
  /** Days of history before `now` (default 90). */
  days?: number;
  /** The portal's IANA time zone (default Europe/Berlin). */
  timezone?: string;
  /** Epoch ms the emulator's clock starts at (default Date.now()); it then runs in real time. */
  now?: number;
  /**
   * The emulator's clock, replacing `now` + real time: tests pass a function they move
   * themselves, so lockouts and sessions never depend on the wall clock.
   */
  clock?: () => number;
  /**
   * How the emulator waits `latencyMs` (default a timer): tests pass one they release themselves,
   * so the delay is observed without measuring wall time.
   */
  sleep?: (ms: number) => Promise<void>;
  /**
   * Geolocation of client addresses: a CSV file path, or its rows already parsed. One range a
   * line, `cidr,country,city` (IPv4 or IPv6); addresses outside keep the emulator's own mapping.
   */
  geo?: string | GeoRange[];
  /**
   * Add the labelled attack scenarios (and benign look-alikes) to the generated history, with
   * their ground truth at `GET /__emulator/scenarios`. Default: on for the demo seed only, so
   * other seeds keep exactly the history they always had.
   */
  scenarios?: boolean;
  /** The owner's API key (default: derived from the seed, `sk-` + 64 hex). */
  apiKey?: string;
  /** Delay added to every API response, in ms (default 0). */
  latencyMs?: number;
  /** Enable the rate limiter (default off). */
  rateLimit?: RateLimitOptions;
  /** Probability 0..1 that an API request fails (500 JSON, 502, 503 or a dropped connection). */
  failRate?: number;
  /** The tenant's quota has the `audit` feature (default true); false: `login/filter` answers `last`. */
  audit?: boolean;
  /** New events per second appended at the head while running (default 0). */
  live?: number;
  /** Login-history retention in days, 1..180 (default 180). */
  lifetimeDays?: number;
  /** The tenant is unpaid: 402 with an empty body on every endpoint except authentication. */
  unpaid?: boolean;
  /** Additional API keys with other roles. */
  extraKeys?: ExtraKey[];
  /** Portal name (default `demo`); the people's mail domain is `<name>.docspace.test`. */
  portalName?: string;
  /** The owner's email and password (default DEMO.email / DEMO.password). */
  email?: string;
  password?: string;
  /**
   * Reproduce the server's printing of events in the repeated hour after a DST fall-back
   * (converted back assuming standard time, so shown one hour late). Default false.
   */
  dstFoldQuirk?: boolean;
  /** Events with impossible dates appended at the head at start, one per entry (default none). */
  oddDates?: OddDate[];
  /** Server only: port to bind (default 0 = any free port). */
  port?: number;
  /** Server only: address to bind (default 127.0.0.1). */
  host?: string;
}

export interface ResolvedEmulatorOptions {
  seed: number;
  users: number;
  events: number;
  days: number;
  timezone: string;
  now: number;
  apiKey: string;
  latencyMs: number;
  rateLimit?: Required<RateLimitOptions>;
  failRate: number;
  audit: boolean;
  live: number;
  lifetimeDays: number;
  unpaid: boolean;
  extraKeys: ExtraKey[];
  portalName: string;
  domain: string;
  email: string;
  password: string;
  dstFoldQuirk: boolean;
  oddDates: OddDate[];
  clock?: () => number;
  sleep: (ms: number) => Promise<void>;
  geo: GeoRange[];
  scenarios: boolean;
}

function resolveRateLimit(r: RateLimitOptions | undefined): Required<RateLimitOptions> | undefined {
  if (!r) return undefined;
  return {
    perMinute: Math.max(1, r.perMinute),
    headers: r.headers ?? 'limit',
    concurrentGet: Math.max(1, r.concurrentGet ?? 50),
    concurrentOther: Math.max(1, r.concurrentOther ?? 15),
  };
}

export function resolveOptions(o: EmulatorOptions = {}): ResolvedEmulatorOptions {
  const seed = o.seed ?? 1;
  const portalName = o.portalName ?? DEMO.portalName;
  const lifetimeDays = o.lifetimeDays ?? 180;
  if (!Number.isInteger(lifetimeDays) || lifetimeDays < 1 || lifetimeDays > 180) {
    throw new RangeError('lifetimeDays must be a whole number from 1 to 180');
  }
  const failRate = o.failRate ?? 0;
  if (!(failRate >= 0 && failRate <= 1)) throw new RangeError('failRate must be between 0 and 1');
  for (const odd of o.oddDates ?? []) {
    if (odd.kind === 'future' && !(odd.hours > 0)) throw new RangeError('a future date needs hours > 0');
  }
  return {
    seed,
    users: Math.max(1, Math.floor(o.users ?? 40)),
    events: Math.max(0, Math.floor(o.events ?? 5000)),
    days: Math.max(1, o.days ?? 90),
    timezone: o.timezone ?? 'Europe/Berlin',
    now: o.now ?? Date.now(),
    apiKey: o.apiKey ?? apiKeyForSeed(seed),
    latencyMs: Math.max(0, o.latencyMs ?? 0),
    rateLimit: resolveRateLimit(o.rateLimit),
    failRate,
    audit: o.audit ?? true,
    live: Math.max(0, o.live ?? 0),
    lifetimeDays,
    unpaid: o.unpaid ?? false,
    extraKeys: o.extraKeys ?? [],
    portalName,
    domain: `${portalName}.docspace.test`,
    email: o.email ?? (portalName === DEMO.portalName ? DEMO.email : `admin@${portalName}.docspace.test`),
    password: o.password ?? DEMO.password,
    dstFoldQuirk: o.dstFoldQuirk ?? false,
    oddDates: o.oddDates ?? [],
    clock: o.clock,
    sleep: o.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
    geo: typeof o.geo === 'string' ? readGeoFile(o.geo) : (o.geo ?? []),
    scenarios: o.scenarios ?? seed === DEMO.seed,
  };
}
