/**
 * The event generator: episodes (a login, a typo then a login, a team joining a meeting; the
 * attacks live in attacks.ts) written into a sink. Strings are interned into the store's tables
 * once, so the hot path only moves numbers.
 */
import { GUEST_ID } from '../../model/ids.js';
import type { Rng } from '../random.js';
import type { EventRow, StoreTables } from '../store.js';
import { burst, singleFailure, spray } from './attacks.js';
import {
  COMMON_LOGINS,
  DESKTOPS,
  type Device,
  EMAIL_NOT_SPECIFIED,
  PAGES,
  SCRIPT_DEVICES,
  SOCIAL_PROVIDERS,
} from './catalogue.js';
import type { EmulatorPerson } from './people.js';
import type { PortalOptions } from './portal.js';
import { Rhythm } from './rhythm.js';

/** One event as a generator writes it: its strings already interned, no id yet. */
export type SinkEvent = Omit<EventRow, 'id'>;

/** Where generated (or live) events are written. */
export interface EventSink {
  /** Returns a handle for `deactivate`, or -1 when the sink is full. */
  emit(event: SinkEvent): number;
  deactivate(handle: number): void;
}

const SUCCESS_BY_PASSWORD = 1029;
const SUCCESS_API = 1010;

/** Table indexes of the pages events point at. */
interface PageIndexes {
  login: number;
  api: number;
  tfa: number;
  authLink: number;
  oauth: number;
  sso: number;
  afterLogout: number[];
}

export class EventGenerator {
  readonly rangeStart: number;
  private readonly rhythm: Rhythm;
  /** Indexes (into `people`) of everyone who ever logs in. */
  private readonly loginUsers: number[];
  private readonly userCdf: Float64Array;
  readonly guest: number;
  readonly pages: PageIndexes;
  private readonly personPlaces: number[][];
  readonly personDevice: Array<[number, number]>;
  private readonly personMobile: Array<[number, number] | undefined>;
  private readonly scriptDevices: Array<[number, number]>;
  /** Each member's one scripting tool (their scripts and OAuth integration send one User-Agent). */
  private readonly personScript: Array<[number, number]>;
  readonly attackDevices: Array<[number, number]>;
  /** Login indexes of real accounts' e-mails, which attackers also try. */
  readonly targets: number[];
  readonly commonLogins: number[];
  readonly displayLogin: number[];
  readonly emailLogin: number[];
  readonly userNameLogin: number[];
  private readonly providers: number[];
  readonly emailNotSpecified: number;
  /**
   * No unlabelled bursts or sprays: with labelled scenarios on, every attack in the history is
   * one of them, and the rest must look benign.
   */
  quietBackground = false;

  constructor(
    readonly rng: Rng,
    readonly people: EmulatorPerson[],
    readonly tables: StoreTables,
    readonly options: PortalOptions,
    /** Newest instant episodes may use. */
    readonly end: number,
  ) {
    this.rangeStart = options.now - options.days * 86_400_000;
    this.rhythm = new Rhythm(this.rangeStart, Math.max(this.rangeStart, end), options.zone);
    this.loginUsers = [];
    people.forEach((p, i) => {
      if (!p.neverLoggedIn) this.loginUsers.push(i);
    });
    this.userCdf = new Float64Array(this.loginUsers.length);
    let sum = 0;
    this.loginUsers.forEach((i, k) => {
      sum += people[i].activity;
      this.userCdf[k] = sum;
    });
    this.guest = tables.users.intern(GUEST_ID);
    const page = (s: string) => tables.pages.intern(s);
    this.pages = {
      login: page(PAGES.login),
      api: page(PAGES.api),
      tfa: page(PAGES.tfa),
      authLink: page(PAGES.authLink),
      oauth: page(PAGES.oauth),
      sso: page(PAGES.sso),
      afterLogout: PAGES.afterLogout.map(page),
    };
    const dev = (d: Device): [number, number] => [
      tables.browsers.intern(d.browser),
      tables.platforms.intern(d.platform),
    ];
    this.personPlaces = people.map((p) => p.places.map((l) => tables.places.intern(l.ip, l.country, l.city)));
    this.personDevice = people.map((p) => dev(p.device));
    this.personMobile = people.map((p) => (p.mobile ? dev(p.mobile) : undefined));
    this.scriptDevices = SCRIPT_DEVICES.map(dev);
    this.personScript = people.map((_, i) => this.scriptDevices[i % this.scriptDevices.length]);
    this.attackDevices = [...SCRIPT_DEVICES, DESKTOPS[0].device, DESKTOPS[4].device].map(dev);
    this.displayLogin = people.map((p) => tables.logins.intern(p.displayName));
    this.emailLogin = people.map((p) => tables.logins.intern(p.email));
    this.userNameLogin = people.map((p) => tables.logins.intern(p.userName));
    this.commonLogins = COMMON_LOGINS.flatMap((l) => [
      tables.logins.intern(l),
      tables.logins.intern(`${l}@${options.domain}`),
    ]);
    this.targets = this.loginUsers.map((i) => this.emailLogin[i]);
    this.providers = SOCIAL_PROVIDERS.map((s) => tables.descriptions.intern(s));
    this.emailNotSpecified = tables.logins.intern(EMAIL_NOT_SPECIFIED);
  }

  pickUser(): number {
    const cdf = this.userCdf;
    const u = this.rng.next() * cdf[cdf.length - 1];
    let a = 0;
    let b = cdf.length - 1;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if (cdf[mid] <= u) a = mid + 1;
      else b = mid;
    }
    return this.loginUsers[a];
  }

  /** The window in which person `i` can log in. */
  activeWindow(i: number): [number, number] {
    const p = this.people[i];
    return [Math.max(this.rangeStart, p.registered + 3_600_000), Math.min(this.end, p.terminated ?? this.end)];
  }

  placeOf(i: number): number {
    const places = this.personPlaces[i];
    return places.length === 1 || this.rng.chance(0.75) ? places[0] : this.rng.pick(places);
  }

  /**
   * Member `i`'s scripting tool. A script keeps its User-Agent from run to run, so it is one tool
   * per member, not a new one drawn per login. The draw is still made, so that a seed's history
   * differs from before only in these devices.
   */
  private scriptOf(i: number): [number, number] {
    this.rng.next();
    return this.personScript[i];
  }

  /** One episode starting at or after `t`; returns the number of events written. */
  episode(sink: EventSink, t?: number): number {
    const kind = this.rng.next();
    if (kind < 0.7) return this.session(sink, this.pickUser(), t, true);
    if (kind < 0.8) return this.typo(sink, t);
    if (kind < 0.925) return singleFailure(this, sink, t);
    if (kind < 0.993 || this.quietBackground) return this.team(sink, t);
    if (kind < 0.9965) return burst(this, sink, t);
    return spray(this, sink, t);
  }

  timeFor(i: number, t?: number): number | undefined {
    if (t !== undefined) return t;
    const [from, to] = this.activeWindow(i);
    if (to < from) return undefined;
    return this.rhythm.sample(this.rng, from, to);
  }

  uniformTime(): number {
    return Math.floor((this.rangeStart + this.rng.next() * (this.end - this.rangeStart)) / 1000) * 1000;
  }

  /** A successful login of person `i` (plus, sometimes, a later logout). */
  session(sink: EventSink, i: number, at?: number, allowLogout = true): number {
    const time = this.timeFor(i, at);
    if (time === undefined) return 0;
    const rng = this.rng;
    const p = this.people[i];
    const place = this.placeOf(i);
    let [browser, platform] =
      this.personMobile[i] && rng.chance(0.2) ? this.personMobile[i]! : this.personDevice[i];
    let action = SUCCESS_BY_PASSWORD;
    let page = this.pages.login;
    let login = 0;
    let description = 0;
    let active = true;
    const r = rng.next();
    if (p.isSSO && r < 0.85) {
      action = 1015;
      page = this.pages.sso;
    } else if (p.oauth && r < 0.3) {
      action = 1028;
      login = this.emailLogin[i];
      page = this.pages.oauth;
      active = false;
      [browser, platform] = this.scriptOf(i);
    } else if (p.social && r < 0.4) {
      action = 1019;
      description = this.providers[SOCIAL_PROVIDERS.indexOf(p.social)];
    } else if (p.tfaAppEnabled && r < 0.9) {
      action = rng.chance(0.75) ? 1024 : 1021;
      page = this.pages.tfa;
    } else if (p.scripts && r < 0.5) {
      action = SUCCESS_API;
      page = this.pages.api;
      [browser, platform] = this.scriptOf(i);
    } else if (r < 0.02) {
      action = 1027;
      login = this.emailLogin[i];
      page = this.pages.authLink;
    } else if (r < 0.04) {
      action = 1000;
    } else if (r < 0.3) {
      action = SUCCESS_API;
      page = rng.chance(0.5) ? this.pages.api : this.pages.login;
    }
    const user = p.userIndex;
    const handle = sink.emit({ time, user, action, login, place, browser, platform, page, description, active });
    if (handle < 0) return 0;
    let written = 1;
    if (allowLogout && active && rng.chance(0.42)) {
      const out = time + rng.int(120, 9 * 3600) * 1000;
      if (out <= this.end && (p.terminated === undefined || out <= p.terminated)) {
        const h = sink.emit({
          ...this.logout(i, out, place, browser, platform),
          page: rng.pick(this.pages.afterLogout),
        });
        if (h >= 0) {
          sink.deactivate(handle);
          written++;
        }
      }
    }
    return written;
  }

  /** A logout (1006) of person `i`: the server logs the display name as `login`. */
  private logout(i: number, time: number, place: number, browser: number, platform: number): SinkEvent {
    const user = this.people[i].userIndex;
    const login = this.displayLogin[i];
    return { time, user, action: 1006, login, place, browser, platform, page: 0, description: 0, active: false };
  }

  /** One or two wrong passwords, then the login. */
  private typo(sink: EventSink, at?: number): number {
    const i = this.pickUser();
    const t = this.timeFor(i, at);
    if (t === undefined) return 0;
    const rng = this.rng;
    const p = this.people[i];
    const place = this.placeOf(i);
    const [browser, platform] = this.personDevice[i];
    const fails = rng.chance(0.75) ? 1 : 2;
    let written = 0;
    let time = t;
    const [, to] = this.activeWindow(i);
    for (let k = 0; k < fails; k++) {
      if (time > to) return written;
      let login = rng.chance(0.8) ? this.emailLogin[i] : this.userNameLogin[i];
      if (rng.chance(0.1)) {
        const e = p.email;
        const cut = rng.int(0, e.indexOf('@') - 1);
        login = this.tables.logins.intern(e.slice(0, cut) + e.slice(cut + 1));
      }
      const action = rng.chance(0.85) ? 1013 : 1005;
      const failure = this.failure(time, action, login, place, browser, platform, this.pages.login);
      if (sink.emit(failure) < 0) return written;
      written++;
      time += rng.int(4, 25) * 1000;
    }
    return written + this.session(sink, i, Math.min(time, to), true);
  }

  /** A failed login: anonymous, so it carries the Guest id and the typed login. */
  failure(
    time: number,
    action: number,
    login: number,
    place: number,
    browser: number,
    platform: number,
    page: number,
  ): SinkEvent {
    return { time, user: this.guest, action, login, place, browser, platform, page, description: 0, active: false };
  }

  /** Several people logging in within the same second (a meeting starts). */
  private team(sink: EventSink, at?: number): number {
    const rng = this.rng;
    const first = this.pickUser();
    let t = this.timeFor(first, at);
    if (t === undefined) return 0;
    if (at === undefined)
      t = Math.min(this.end, Math.floor(t / 60_000) * 60_000 + rng.pick([0, 0, 0, 1, 2]) * 1000);
    const size = rng.int(2, 5);
    let written = 0;
    const seen = new Set<number>();
    for (let k = 0; k < size; k++) {
      const i = k === 0 ? first : this.pickUser();
      if (seen.has(i)) continue;
      seen.add(i);
      const [from, to] = this.activeWindow(i);
      if (t < from || t > to) continue;
      written += this.session(sink, i, t, true);
    }
    return written;
  }

  /** A single event happening now (live mode): mostly logins, some logouts and failures. */
  live(sink: EventSink, t: number): void {
    const rng = this.rng;
    const r = rng.next();
    if (r < 0.7) {
      const i = this.pickUser();
      if (this.people[i].status !== 1 || this.people[i].deleted) {
        singleFailure(this, sink, t);
        return;
      }
      this.session(sink, i, t, false);
    } else if (r < 0.85) {
      const i = this.pickUser();
      const p = this.people[i];
      if (p.status !== 1 || p.deleted) {
        singleFailure(this, sink, t);
        return;
      }
      const [browser, platform] = this.personDevice[i];
      const place = this.placeOf(i);
      sink.emit({ ...this.logout(i, t, place, browser, platform), page: rng.pick(this.pages.afterLogout) });
    } else {
      singleFailure(this, sink, t);
    }
  }
}
