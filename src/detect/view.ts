import { PeopleDirectory } from '../model/attribution.js';
import type { ActionKind } from '../model/actions.js';
import { countryCode } from '../geo/countries.js';
import { deviceKey } from './device.js';
import { type FailureTarget, type LoginShape, typedLoginTarget } from './login-shape.js';
import type { Profile, ProfileField, Profiles } from './profiles.js';
import type { DetectContext, DetectEvent, Member } from './types.js';

/**
 * The fields rules match on, derived once per event and shared by every rule. One object is
 * reused for all events (rules copy what they keep into an `Entry`), and the costly derivations
 * — attribution, device, country code, hashing — are cached by their input strings.
 */
export interface EventView {
  event: DetectEvent;
  id: number;
  ts: number;
  outcome: ActionKind;
  actionId: number;
  userId: string;
  anonymous: boolean;
  /**
   * Whom the event is about. Successes, logouts and second-factor failures: the user id. Guest
   * failures: the member the typed login names (attribution rule), else the folded typed login,
   * or its keyed hash when it looks like a password; empty for an empty form.
   */
  target: string;
  /** The target is a member of the portal. */
  known: boolean;
  loginShape: LoginShape | 'member';
  ip: string;
  country: string;
  countryIso: string;
  city: string;
  /** Country and city, for per-user novelty of places. */
  place: string;
  device: string;
  admin: boolean;
  status: 'active' | 'disabled' | 'invited' | 'unknown';
  /** An event of (or aimed at) an account dated at or after the time it was disabled. */
  afterDisabled: boolean;
  /**
   * A failure aimed at a member from a device and a place (city) that member has signed in
   * with before: most likely their own typo. False for everything else.
   */
  familiar: boolean;
  /** Portal-local hour of the week, Monday 00:00 = 0 … Sunday 23:00 = 167. */
  hourOfWeek: number;
  /** Portal-local day number since 1970-01-01. */
  day: number;
  /**
   * The profile of `userId` as it stands before this event (undefined before their first
   * success): looked up once here for every rule that judges a success against it.
   */
  profile: Profile | undefined;
  /**
   * For a success with a profile: the profile's entry ([last seen, times seen]) for each of the
   * event's values before this event, undefined for a value it does not hold (or an empty one).
   * Rules ask "seen before?" here instead of each looking the value up again.
   */
  seen: ProfileSeen;
}

/** A profile's entries for one event's values (see `EventView.seen`). */
export type ProfileSeen = Record<ProfileField, [number, number] | undefined>;

const noneSeen = (): ProfileSeen => ({ countryIso: undefined, country: undefined, place: undefined, device: undefined });

export const VIEW_FIELDS = [
  'id', 'outcome', 'actionId', 'userId', 'anonymous', 'target', 'known', 'loginShape', 'ip', 'country',
  'countryIso', 'city', 'place', 'device', 'admin', 'status', 'afterDisabled', 'familiar', 'hourOfWeek', 'day',
] as const;
export type ViewField = (typeof VIEW_FIELDS)[number];

/**
 * A reader per field, each its own function: a selection or group key reads its field by a plain
 * property load, not by a computed key shared by every field (which V8 handles as megamorphic).
 */
export const VIEW_READERS: Readonly<Record<ViewField, (v: EventView) => unknown>> = {
  id: (v) => v.id, outcome: (v) => v.outcome, actionId: (v) => v.actionId, userId: (v) => v.userId,
  anonymous: (v) => v.anonymous, target: (v) => v.target, known: (v) => v.known, loginShape: (v) => v.loginShape,
  ip: (v) => v.ip, country: (v) => v.country, countryIso: (v) => v.countryIso, city: (v) => v.city,
  place: (v) => v.place, device: (v) => v.device, admin: (v) => v.admin, status: (v) => v.status,
  afterDisabled: (v) => v.afterDisabled, familiar: (v) => v.familiar, hourOfWeek: (v) => v.hourOfWeek, day: (v) => v.day,
};

interface MemberInfo {
  admin: boolean;
  status: EventView['status'];
  disabledAt: number;
}

/** What `derive` makes of an event's strings, kept on its `shared` object. */
interface Derived {
  by: ViewBuilder;
  anonymous: boolean;
  kind: ActionKind;
  target: string;
  known: boolean;
  loginShape: EventView['loginShape'];
  /** The target as a member of the directory. */
  member: MemberInfo | undefined;
  countryIso: string;
  place: string;
  device: string;
  /** The user's profile, from their first success on. */
  profile: Profile | undefined;
  /** The profile's entries for the strings' values as last found, while the profile's `forgot` is `forgot`. */
  seen: ProfileSeen | undefined;
  forgot: number;
}

const CACHE_LIMIT = 100_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

export class ViewBuilder {
  private readonly directory: PeopleDirectory;
  private readonly members = new Map<string, MemberInfo>();
  private readonly failures = new Map<string, FailureTarget>();
  private readonly devices = new Map<string, Map<string, string>>();
  private readonly places = new Map<string, Map<string, string>>();
  private readonly countries = new Map<string, string>();
  readonly view: EventView;

  constructor(
    private readonly ctx: DetectContext,
    /** The users' profiles as they stand before the event (for `familiar`). */
    private readonly profiles: Profiles,
  ) {
    const people: readonly Member[] = ctx.people ?? [];
    this.directory = new PeopleDirectory(people);
    for (const p of people) {
      const disabledAt = p.terminated ? Date.parse(p.terminated) : Number.NaN;
      this.members.set(p.id.toLowerCase(), {
        admin: Boolean(p.isOwner || p.isAdmin),
        status: p.status === 2 ? 'disabled' : p.status === 4 ? 'invited' : 'active',
        disabledAt: Number.isNaN(disabledAt) ? (p.status === 2 ? -Infinity : Infinity) : disabledAt,
      });
    }
    this.view = {
      event: undefined as unknown as DetectEvent, id: 0, ts: 0, outcome: 'other', actionId: 0, userId: '',
      anonymous: false, target: '', known: false, loginShape: 'member', ip: '', country: '', countryIso: '',
      city: '', place: '', device: '', admin: false, status: 'unknown', afterDisabled: false, familiar: false, hourOfWeek: 0, day: 0, profile: undefined,
      seen: noneSeen(),
    };
  }

  /** Fills the shared view from `e` and returns it. */
  build(e: DetectEvent): EventView {
    const v = this.view;
    v.event = e;
    v.id = e.id;
    v.ts = e.time;
    v.outcome = e.kind;
    v.actionId = e.actionId;
    v.userId = e.userId;
    v.anonymous = e.anonymous;
    const shared = e.shared;
    let d = shared?.derived as Derived | undefined;
    // What the event's strings give, made once per set of them (and per builder: another context
    // may attribute differently); `anonymous` and `kind` are checked too, not being in every set's key.
    if (d === undefined || d.by !== this || d.anonymous !== e.anonymous || d.kind !== e.kind) {
      d = this.derive(e);
      if (shared) shared.derived = d;
    }
    // A user's profile, once made, stays the same object: kept once found.
    const p = (v.profile = d.profile ??= this.profiles.get(e.userId));
    v.target = d.target;
    v.known = d.known;
    v.loginShape = d.loginShape;
    const m = d.member;
    v.admin = m?.admin ?? false;
    v.status = m?.status ?? 'unknown';
    v.afterDisabled = m !== undefined && v.ts >= m.disabledAt;
    v.ip = e.ip;
    v.country = e.country;
    v.countryIso = d.countryIso;
    v.city = e.city;
    v.place = d.place;
    v.device = d.device;
    v.familiar = v.outcome === 'failure' && m !== undefined && this.familiar(v.target, v.device, v.place);
    if (v.outcome === 'success' && p !== undefined) seenIn(p, d, v);
    else {
      const s = v.seen;
      s.countryIso = s.country = s.place = s.device = undefined;
    }
    const offset = this.ctx.zoneOffset ? this.ctx.zoneOffset(v.ts) : e.offsetMinutes;
    const local = v.ts + offset * 60_000;
    // 1970-01-01 was a Thursday: shift by three days so Monday starts the week.
    v.hourOfWeek = (Math.floor(local / HOUR) + 72) % 168;
    v.day = Math.floor(local / DAY);
    return v;
  }

  /** The view's values that depend on the event's strings alone. */
  private derive(e: DetectEvent): Derived {
    let target: string;
    let known: boolean;
    let loginShape: EventView['loginShape'];
    if (e.anonymous && e.kind === 'failure') {
      const t = this.failureTarget(e.login);
      target = t.target;
      known = t.known;
      loginShape = t.shape;
    } else {
      target = e.userId;
      known = this.members.has(e.userId) || !this.ctx.people;
      loginShape = 'member';
    }
    const countryIso = this.country(e.country);
    return {
      by: this, anonymous: e.anonymous, kind: e.kind, target, known, loginShape, member: known ? this.members.get(target) : undefined,
      countryIso, place: e.city ? this.place(countryIso || e.country, e.city) : '', device: this.device(e.browser, e.platform),
      profile: undefined, seen: undefined, forgot: 0,
    };
  }

  /** Whether `userId` has signed in with this device and from this place (neither empty). */
  private familiar(userId: string, device: string, place: string): boolean {
    const p = this.profiles.get(userId);
    return p !== undefined && p.values.device.has(device) && p.values.place.has(place);
  }

  private failureTarget(login: string | null): FailureTarget {
    const raw = login ?? '';
    let hit = this.failures.get(raw);
    if (hit) return hit;
    hit = typedLoginTarget(raw, this.directory, this.ctx.secret);
    if (this.failures.size >= CACHE_LIMIT) this.failures.clear();
    this.failures.set(raw, hit);
    return hit;
  }

  // Two-level caches keyed by the strings as they come: no key is built per event.
  private device(browser: string | null, platform: string | null): string {
    let byPlatform = this.devices.get(browser ?? '');
    if (!byPlatform) {
      if (this.devices.size >= CACHE_LIMIT) this.devices.clear();
      this.devices.set(browser ?? '', (byPlatform = new Map()));
    }
    let d = byPlatform.get(platform ?? '');
    if (d === undefined) {
      d = deviceKey(browser, platform);
      byPlatform.set(platform ?? '', d);
    }
    return d;
  }

  private place(country: string, city: string): string {
    let byCity = this.places.get(country);
    if (!byCity) this.places.set(country, (byCity = new Map()));
    let p = byCity.get(city);
    if (p === undefined) {
      if (byCity.size >= CACHE_LIMIT) byCity.clear();
      p = `${country}/${city}`;
      byCity.set(city, p);
    }
    return p;
  }

  private country(name: string): string {
    let iso = this.countries.get(name);
    if (iso === undefined) {
      iso = countryCode(name) ?? '';
      this.countries.set(name, iso);
    }
    return iso;
  }

  /** Whether a user id (lower case) is an admin or the owner. */
  isAdmin(userId: string): boolean {
    return this.members.get(userId)?.admin ?? false;
  }
}

/**
 * Fills `v.seen` from `p`: an entry found once is kept on `d` (an entry is updated in place and
 * stays the profile's until it forgets a value), one not found is looked up again next time (a
 * later success may have brought it).
 */
function seenIn(p: Profile, d: Derived, v: EventView): void {
  let c = d.seen;
  if (c === undefined || d.forgot !== p.forgot) {
    c = d.seen = noneSeen();
    d.forgot = p.forgot;
  }
  const values = p.values;
  const s = v.seen;
  s.countryIso = c.countryIso ??= v.countryIso ? values.countryIso.get(v.countryIso) : undefined;
  s.country = c.country ??= v.country ? values.country.get(v.country) : undefined;
  s.place = c.place ??= v.place ? values.place.get(v.place) : undefined;
  s.device = c.device ??= v.device ? values.device.get(v.device) : undefined;
}

/** The small copy of an event that windows and findings keep. */
export interface Entry {
  id: number;
  ts: number;
  success: boolean;
  target: string;
  known: boolean;
  ip: string;
  country: string;
  device: string;
}

export function entryOf(v: EventView): Entry {
  return {
    id: v.id, ts: v.ts, success: v.outcome === 'success', target: v.target, known: v.known,
    ip: v.ip, country: v.countryIso || v.country, device: v.device,
  };
}

/** Overwrites `e` with `v`'s entry: for state kept per key and updated on every event (no allocation). */
export function fillEntry(e: Entry, v: EventView): void {
  e.id = v.id;
  e.ts = v.ts;
  e.success = v.outcome === 'success';
  e.target = v.target;
  e.known = v.known;
  e.ip = v.ip;
  e.country = v.countryIso || v.country;
  e.device = v.device;
}
