/**
 * The emulated tenant without the HTTP: its clock, members, event table, settings, sessions,
 * keys, security levers and counters; live events, retention and the odd-date faults.
 */
import { ZoneOffsets } from '../model/zone.js';
import { ApiDates } from './api-date.js';
import { appendOddDate } from './odd-dates.js';
import { type EmulatorStats, RequestCounters } from './counters.js';
import { catalogueCity, type Device } from './data/catalogue.js';
import type { EventGenerator, EventSink } from './data/generator.js';
import type { EmulatorPerson } from './data/people.js';
import { generatePortal } from './data/portal.js';
import type { Scenario } from './data/scenarios.js';
import { PeopleDirectory } from './directory.js';
import { GeoMap, type GeoPlace } from './geo.js';
import { RateLimiter } from './http/rate-limit.js';
import {
  type EmulatorOptions,
  type OddDate,
  type RateLimitOptions,
  type ResolvedEmulatorOptions,
  resolveOptions,
} from './options.js';
import { EventRenderer, type ServedEvent } from './render.js';
import { hashSeed, Rng } from './random.js';
import { addStartKeys, ApiKeys, AuditTrail, BruteForceGuard, IpRestrictions, type Session, Sessions } from './security/index.js';
import { EventStore } from './store.js';

export type { Session };

/** Who acted, from where: what an audit-trail row records besides the action. */
export interface Actor {
  person: EmulatorPerson;
  ip: string;
  device: Device;
  page: string;
}

export class EmulatorState {
  readonly options: ResolvedEmulatorOptions;
  readonly store: EventStore;
  readonly people: EmulatorPerson[];
  readonly directory: PeopleDirectory;
  readonly zone: ZoneOffsets;
  readonly dates: ApiDates;
  readonly renderer: EventRenderer;
  readonly apiKey: string;
  readonly portalName: string;
  readonly user: { email: string; password: string };
  /** Mutable at run time (tests may flip them). */
  audit: boolean;
  unpaid: boolean;
  latencyMs: number;
  failRate: number;
  rateLimit?: Required<RateLimitOptions>;
  readonly settings: { loginHistoryLifeTime: number; auditTrailLifeTime: number; lastModified?: number };
  readonly sessions = new Sessions();
  readonly keys = new ApiKeys();
  readonly rateLimiter = new RateLimiter(() => this.rateLimit);
  readonly bruteForce = new BruteForceGuard(() => this.now());
  readonly ipRestrictions = new IpRestrictions();
  readonly auditTrail: AuditTrail;
  readonly geo: GeoMap;
  /** Ground truth of the labelled scenarios in the generated history (empty unless enabled). */
  readonly scenarios: Scenario[];
  /** Bumped whenever a member changes, so cached people lists are rebuilt. */
  peopleVersion = 0;
  readonly generationMs: number;
  /** Fresh randomness for tie shuffling (never seeded: every request differs). */
  readonly tieRng = Rng.unseeded();
  /** Seeded stream for fault injection. */
  readonly faultRng: Rng;
  private readonly idRng: Rng;
  private readonly generator: EventGenerator;
  private readonly personByUserIndex: Array<EmulatorPerson | undefined> = [];
  private readonly geoByIp = new Map<string, GeoPlace>();
  private readonly clockStart = Date.now();
  private clockOffset = 0;
  private readonly counters = new RequestCounters();
  private appended = 0;
  private purged = 0;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(options: EmulatorOptions = {}) {
    const o = resolveOptions(options);
    this.options = o;
    this.zone = new ZoneOffsets(o.timezone);
    this.dates = new ApiDates(this.zone, o.dstFoldQuirk);
    const started = performance.now();
    const portal = generatePortal({
      seed: o.seed,
      users: o.users,
      events: o.events,
      days: o.days,
      now: o.now,
      zone: this.zone,
      portalName: o.portalName,
      domain: o.domain,
      ownerEmail: o.email,
      ownerPassword: o.password,
      scenarios: o.scenarios,
      lifetimeDays: o.lifetimeDays,
    });
    this.generationMs = performance.now() - started;
    this.people = portal.people;
    this.directory = new PeopleDirectory(this.people);
    this.store = new EventStore(portal.tables, portal.columns, portal.count);
    this.renderer = new EventRenderer(this.store, this.dates, (i) => this.personByUserIndex[i]);
    this.generator = portal.generator;
    this.scenarios = portal.scenarios;
    this.geo = new GeoMap(o.geo, (ip) => this.geoByIp.get(ip) ?? catalogueCity(ip));
    this.auditTrail = new AuditTrail(1000 + (hashSeed(`audit:${o.seed}`) % 50_000));
    for (const p of this.people) {
      this.personByUserIndex[p.userIndex] = p;
      for (const l of p.places) this.geoByIp.set(l.ip, { country: l.country, city: l.city });
    }
    this.apiKey = o.apiKey;
    this.portalName = o.portalName;
    this.user = { email: o.email, password: o.password };
    this.audit = o.audit;
    this.unpaid = o.unpaid;
    this.latencyMs = o.latencyMs;
    this.failRate = o.failRate;
    this.rateLimit = o.rateLimit;
    this.settings = { loginHistoryLifeTime: o.lifetimeDays, auditTrailLifeTime: 180 };
    this.faultRng = new Rng(`faults:${o.seed}`);
    this.idRng = new Rng(`live-ids:${o.seed}`);
    addStartKeys(this.keys, this.people, o);
    // The clean-up service runs at start-up, then daily. At start-up it cuts at the instant the
    // history was generated for, not at the clock after generating it: otherwise `--events N
    // --days 180` held fewer than N events whenever generation took longer than the gap between
    // the oldest event and the retention limit (a 1M-event sync then "lost" one event).
    this.purge(this.options.now - this.settings.loginHistoryLifeTime * 86_400_000);
    const daily = setInterval(() => this.applyRetention(), 86_400_000);
    daily.unref();
    this.timers.push(daily);
    if (o.live > 0) this.startLive(o.live);
    for (const odd of o.oddDates) this.appendOddDate(odd);
  }

  /** The emulator's clock: the injected one, else `now` at start and then real time. */
  now(): number {
    const base = this.options.clock ? this.options.clock() : this.options.now + (Date.now() - this.clockStart);
    return base + this.clockOffset;
  }

  /** Move the clock forward (the control API's `clock?advance=`). */
  advanceClock(ms: number): void {
    this.clockOffset += ms;
  }

  /** The portal zone's offset (minutes) at an instant. */
  offsetAt(time: number): number {
    return this.zone.at(time);
  }

  /** ApiDateTime text for an instant, as the server prints it. */
  formatDate(time: number): string {
    return this.dates.format(time);
  }

  personOfUserIndex(index: number): EmulatorPerson | undefined {
    return this.personByUserIndex[index];
  }

  /** Find a member by user name, email or GUID (deleted members are gone). */
  findPerson(idOrName: string): EmulatorPerson | undefined {
    return this.directory.any(idOrName);
  }

  get tables() {
    return this.store.tables;
  }

  private startLive(perSecond: number): void {
    const interval = Math.max(50, Math.min(1000, Math.floor(1000 / perSecond)));
    let owed = 0;
    let last = Date.now();
    const timer = setInterval(() => {
      const now = Date.now();
      owed += ((now - last) / 1000) * perSecond;
      last = now;
      const n = Math.floor(owed);
      if (n > 0) {
        owed -= n;
        this.appendEvents(n);
      }
    }, interval);
    timer.unref();
    this.timers.push(timer);
  }

  /** Append `count` new events dated now (a login, logout or failure each). Returns their ids. */
  appendEvents(count: number, at = this.now()): number[] {
    const ids: number[] = [];
    const time = Math.floor(at / 1000) * 1000;
    const sink: EventSink = {
      emit: (e) => {
        const id = this.nextId();
        ids.push(id);
        return this.store.append({ id, ...e });
      },
      deactivate: (row) => {
        this.store.columns.active[row] = 0;
      },
    };
    while (ids.length < count) this.generator.live(sink, time);
    this.appended += ids.length;
    return ids;
  }

  /**
   * Insert `count` new events dated `agoMs` before now, below events already served: a row
   * that lands late. The real server sets an event's date when the request starts and inserts
   * it when the request ends, and the OAuth rows (1028) come from another service on its own
   * clock, while the API orders by date alone: a reader that stopped at the newest event it saw
   * can find a new, older one below it on its next read. Returns their ids (the newest ids).
   */
  insertLateEvents(count: number, agoMs: number): number[] {
    const ids: number[] = [];
    const time = Math.floor((this.now() - agoMs) / 1000) * 1000;
    const sink: EventSink = {
      emit: (e) => {
        if (e.time !== time) return -1; // a logout the generator dates later than the login
        const id = this.nextId();
        ids.push(id);
        return this.store.insertAt({ id, ...e, active: false });
      },
      deactivate: () => undefined,
    };
    while (ids.length < count) this.generator.live(sink, time);
    this.appended += ids.length;
    return ids;
  }

  private nextId(): number {
    return this.store.takeId(this.idRng.chance(0.3) ? this.idRng.int(1, 12) : 0);
  }

  /** Write one event from a request (authentication, logout). Returns its id. */
  writeEvent(e: {
    userId: string;
    action: number;
    login?: string | null;
    ip: string;
    device: Device;
    page?: string | null;
    description?: string;
    active: boolean;
    time?: number;
  }): number {
    const t = this.tables;
    const geo = this.geo.lookup(e.ip);
    const id = this.nextId();
    this.store.append({
      id,
      time: Math.floor((e.time ?? this.now()) / 1000) * 1000,
      user: t.users.intern(e.userId),
      action: e.action,
      login: t.logins.intern(e.login ?? null),
      place: t.places.intern(e.ip, geo.country, geo.city),
      browser: t.browsers.intern(e.device.browser),
      platform: t.platforms.intern(e.device.platform),
      page: t.pages.intern(e.page ?? null),
      description: t.descriptions.intern(e.description ?? null),
      active: e.active,
    });
    this.appended++;
    return id;
  }

  /** Append the owner's API login, served with a date the server cannot have sent (odd-dates.ts). */
  appendOddDate(odd: OddDate): { id: number; date: string } {
    return appendOddDate(this, odd);
  }

  /** Delete events dated before `before` (epoch ms), or apply the retention setting. */
  purge(before?: number): number {
    const cut = before ?? this.now() - this.settings.loginHistoryLifeTime * 86_400_000;
    const n = this.store.purgeBefore(cut);
    this.purged += n;
    return n;
  }

  applyRetention(): number {
    return this.purge();
  }

  /** Render the event in physical row `row`. */
  renderEvent(row: number, origin: string, limited = false): ServedEvent {
    return this.renderer.render(row, origin, limited);
  }

  /** The same as `JSON.stringify(renderEvent(...))`, several times faster. */
  renderEventJson(row: number, origin: string, limited = false): string {
    return this.renderer.json(row, origin, limited);
  }

  /** The whole history newest first as served (ties in stored order). For tests; O(n). */
  allEvents(origin = 'https://emulator.invalid'): ServedEvent[] {
    const out: ServedEvent[] = [];
    this.store.scan((row) => {
      out.push(this.renderEvent(row, origin));
      return true;
    });
    return out;
  }

  countRequest(path: string, method: string): void {
    this.counters.countRequest(path, method);
  }

  countStatus(status: number | 'dropped'): void {
    this.counters.countStatus(status);
  }

  stats(): EmulatorStats {
    const newest = this.store.newestTime();
    const oldest = this.store.oldestTime();
    return {
      requests: this.counters.requests,
      byPath: Object.fromEntries(this.counters.byPath),
      byMethod: Object.fromEntries(this.counters.byMethod),
      byStatus: Object.fromEntries(this.counters.byStatus),
      events: this.store.size,
      appended: this.appended,
      purged: this.purged,
      newestId: this.store.lastId,
      newestDate: newest !== undefined ? this.formatDate(newest) : undefined,
      oldestDate: oldest !== undefined ? this.formatDate(oldest) : undefined,
      storeBytes: this.store.bytes,
      generationMs: Math.round(this.generationMs),
    };
  }

  resetStats(): void {
    this.counters.reset();
  }

  /** Stop timers (live events, daily retention). */
  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }

  /**
   * Is the session behind a token still valid: not expired, the user's cookie index unchanged,
   * and its login row present and active (a session without a row has only the first two).
   */
  sessionValid(s: Session): boolean {
    if (s.expires <= this.now() || s.cookieIndex !== this.sessions.indexOf(s.person)) return false;
    if (s.eventId === 0) return true;
    const row = this.store.findRow(s.eventId);
    return row >= 0 && this.store.columns.active[row] === 1;
  }

  /** End every session of a member: their tokens die and their active login rows go inactive. */
  endSessions(person: EmulatorPerson): number {
    this.sessions.resetUser(person);
    const c = this.store.columns;
    let ended = 0;
    this.store.scan((row) => {
      if (c.user[row] === person.userIndex && c.active[row] === 1) {
        c.active[row] = 0;
        ended++;
      }
      return true;
    });
    return ended;
  }

  /** Record an admin action in the audit trail. */
  writeAudit(actor: Actor, action: number, target: string[] = [], description: string[] = []): number {
    const { person, ip, device, page } = actor;
    return this.auditTrail.write({ time: this.now(), userId: person.id, action, ip, device, page, target, description })
      .id;
  }
}
