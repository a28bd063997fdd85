/**
 * Labelled scenarios written into a generated history, with their ground truth: the attacks a
 * detector should find (spray, stuffing, distributed brute force, success after an attack,
 * impossible travel, second-factor failures, a dormant or disabled account coming back, a
 * password typed as the login) and benign look-alikes it should leave alone (a typo, an office
 * behind one NAT address, a traveller). Every scenario stays under DocSpace's own lockout (fewer
 * than `attemptCount` tries per login and address a minute), as real attackers pace themselves.
 */
import type { Rng } from '../random.js';
import { ATTACK_CITIES, distanceKm, OFFICE_CITIES } from './catalogue.js';
import type { EventGenerator, EventSink } from './generator.js';
import { type EmulatorPerson, ipIn } from './people.js';

export type ScenarioKind =
  | 'password-spray'
  | 'credential-stuffing'
  | 'distributed-brute-force'
  | 'success-after-attack'
  | 'impossible-travel'
  | 'tfa-failures'
  | 'dormant-account'
  | 'disabled-account-attempts'
  | 'disabled-account-success'
  | 'password-in-login'
  | 'benign-typo'
  | 'benign-office-nat'
  | 'benign-traveller';

/** Ground truth of one scenario, as `GET /__emulator/scenarios` serves it. */
export interface Scenario {
  id: string;
  kind: ScenarioKind;
  /** False for the benign look-alikes a detector must not flag. */
  malicious: boolean;
  /** What a detector groups the events by: an address, a lower-case typed login, or a user id. */
  groupKey: string;
  eventIds: number[];
  /** ISO UTC instants of the first and last event. */
  from: string;
  to: string;
  description: string;
}

/** A scenario before ids exist: its events are sink handles. */
export interface ScenarioDraft extends Omit<Scenario, 'eventIds' | 'from' | 'to'> {
  handles: number[];
}

export interface ScenarioPlan {
  drafts: ScenarioDraft[];
  /** Benign rows (sink handles) to remove, so that quiet spells are quiet. */
  drop: (handle: number, user: number, login: number, time: number) => boolean;
}

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const CITY_BY_NAME = new Map([...OFFICE_CITIES, ...ATTACK_CITIES].filter((c) => c.lat !== undefined).map((c) => [c.city, c]));
const LOCATED_ATTACKS = ATTACK_CITIES.filter((c) => c.country);

/** Outside mail domains credential stuffers bring lists from. */
const LEAK_DOMAINS = ['mail.test', 'inbox.test', 'webpost.test', 'corp-mail.test'];

export function writeScenarios(g: EventGenerator, sink: EventSink, rng: Rng, oldest: number): ScenarioPlan {
  const drafts: ScenarioDraft[] = [];
  const quiet: Array<{ user: number; logins: Set<number>; from: number; to: number }> = [];
  const people = g.people;
  const t = g.tables;
  const usable = (p: EmulatorPerson) => p.status === 1 && !p.deleted && !p.neverLoggedIn && p.role !== 'owner';
  const pool = rng.shuffle(people.filter(usable));
  const take = (want?: (p: EmulatorPerson) => boolean) => {
    const at = pool.findIndex((p) => !want || want(p));
    return at < 0 ? undefined : pool.splice(at, 1)[0];
  };
  const attackDevice = () => rng.pick(g.attackDevices);
  const attackPlace = (c = rng.pick(LOCATED_ATTACKS)) => t.places.intern(ipIn(rng, c), c.country, c.city);
  const homeOf = (p: EmulatorPerson) => t.places.intern(p.places[0].ip, p.places[0].country, p.places[0].city);
  const dev = (p: EmulatorPerson): [number, number] => [t.browsers.intern(p.device.browser), t.platforms.intern(p.device.platform)];
  const email = (p: EmulatorPerson) => t.logins.intern(p.email);
  const fail = (time: number, login: number, place: number, [b, pl]: [number, number], page = g.pages.api) =>
    sink.emit(g.failure(time, 1013, login, place, b, pl, page));
  const success = (p: EmulatorPerson, time: number, action: number, place: number, [b, pl]: [number, number], page: number) =>
    sink.emit({ time, user: p.userIndex, action, login: 0, place, browser: b, platform: pl, page, description: 0, active: true });
  const keepQuiet = (p: EmulatorPerson, from: number, to: number) =>
    quiet.push({ user: p.userIndex, logins: new Set([email(p), t.logins.intern(p.userName)]), from, to });
  const add = (kind: ScenarioKind, malicious: boolean, groupKey: string, handles: number[], description: string) => {
    if (handles.length === 0 || handles.some((h) => h < 0)) return;
    drafts.push({ id: `${kind}-${drafts.filter((d) => d.kind === kind).length + 1}`, kind, malicious, groupKey, handles, description });
  };

  // One scenario every few days, going back from the newest event, in office hours (UTC).
  let slot = 0;
  const slotTime = () => {
    const day = Math.floor((g.end - (2 + 4 * slot++) * DAY) / DAY) * DAY;
    return Math.max(g.rangeStart + DAY, day + (8 + rng.int(0, 7)) * HOUR + rng.int(0, 3599) * 1000);
  };

  {
    // Password spray: one address, a few passwords tried in turn against each of 7-9 accounts.
    const t0 = slotTime();
    const place = attackPlace();
    const device = attackDevice();
    const targets = rng.shuffle(g.targets.slice()).slice(0, rng.int(7, 9));
    const handles: number[] = [];
    let time = t0;
    for (let pass = 0; pass < 3; pass++) {
      for (const login of targets) {
        handles.push(fail(time, login, place, device));
        time += rng.int(20, 60) * 1000;
      }
    }
    add('password-spray', true, t.places.get(place).shownIp, handles, `${targets.length} accounts, 3 passwords each, from one address`);
  }
  {
    // Credential stuffing: a leaked list replayed fast, mostly addresses nobody here has.
    const t0 = slotTime();
    const place = attackPlace();
    const device = attackDevice();
    const handles: number[] = [];
    let time = t0;
    const logins = rng.int(22, 28);
    // Each pair of the list once: a member picked twice would be tried three or four times,
    // which is a guessing run on that account, not stuffing.
    const members = rng.shuffle(g.targets.slice());
    for (let k = 0; k < logins; k++) {
      const login = rng.chance(0.2) && members.length
        ? members.pop()!
        : t.logins.intern(`${rng.pick(['j', 'm', 'a', 'k', 's'])}${rng.hex(5)}@${rng.pick(LEAK_DOMAINS)}`);
      for (let j = rng.chance(0.3) ? 2 : 1; j > 0; j--) {
        handles.push(fail(time, login, place, device));
        time += rng.int(4, 20) * 1000;
      }
    }
    add('credential-stuffing', true, t.places.get(place).shownIp, handles, `${logins} logins from a leaked list, one address`);
  }
  {
    // Distributed brute force: one account, many addresses in several countries, two tries each.
    const victim = take();
    if (victim) {
      let time = slotTime();
      const handles: number[] = [];
      for (let k = rng.int(9, 12); k > 0; k--) {
        const place = attackPlace();
        const device = attackDevice();
        for (let j = rng.int(1, 2); j > 0; j--) {
          handles.push(fail(time, email(victim), place, device));
          time += rng.int(30, 120) * 1000;
        }
      }
      add('distributed-brute-force', true, victim.email.toLowerCase(), handles, 'one account from many addresses');
    }
  }
  {
    // Success after an attack: a paced guessing run on one account, then the attacker gets in.
    const victim = take((p) => !p.tfaAppEnabled);
    if (victim) {
      const t0 = slotTime();
      const place = attackPlace();
      const device = attackDevice();
      const handles: number[] = [];
      let time = t0;
      for (let k = 0; k < 12; k++) {
        handles.push(fail(time, email(victim), place, device));
        time += rng.int(45, 70) * 1000;
      }
      time += rng.int(30, 90) * MIN;
      handles.push(success(victim, time, 1010, place, device, g.pages.api));
      keepQuiet(victim, t0 - DAY, time + DAY);
      add('success-after-attack', true, victim.email.toLowerCase(), handles, '12 failed guesses, then a login from the same address');
    }
  }
  {
    // Impossible travel: the usual place, then an hour later another continent.
    const victim = take((p) => CITY_BY_NAME.has(p.places[0].city));
    if (victim) {
      const home = CITY_BY_NAME.get(victim.places[0].city)!;
      const far = LOCATED_ATTACKS.filter((c) => distanceKm(home, c) > 5000);
      const t0 = slotTime();
      const t1 = t0 + rng.int(40, 90) * MIN;
      const handles = [
        success(victim, t0, 1029, homeOf(victim), dev(victim), g.pages.login),
        success(victim, t1, 1010, attackPlace(rng.pick(far)), attackDevice(), g.pages.api),
      ];
      keepQuiet(victim, t0 - DAY, t1 + DAY);
      add('impossible-travel', true, victim.id, handles, `${home.city}, then ${far.length ? 'overseas' : ''} within the hour`);
    }
  }
  {
    // Second-factor failures: the password is known, the code is not; then a code gets through.
    const victim = take((p) => p.tfaAppEnabled);
    if (victim) {
      let time = slotTime();
      const place = attackPlace();
      const device = attackDevice();
      const handles: number[] = [];
      const login = t.logins.intern(victim.displayName);
      for (let k = rng.int(4, 6); k > 0; k--) {
        handles.push(
          sink.emit({ ...g.failure(time, 1025, login, place, device[0], device[1], g.pages.tfa), user: victim.userIndex }),
        );
        time += rng.int(40, 100) * 1000;
      }
      handles.push(success(victim, time + rng.int(1, 3) * MIN, 1024, place, device, g.pages.tfa));
      keepQuiet(victim, time - DAY, time + DAY);
      add('tfa-failures', true, victim.id, handles, 'wrong authenticator codes after a right password, then a success');
    }
  }
  {
    // Dormant account: one login long ago, nothing since, then a login again.
    const back = Math.floor((g.end - rng.int(1, 3) * DAY) / 1000) * 1000;
    const before = back - rng.int(95, 120) * DAY;
    const sleeper = before > oldest + DAY ? take() : undefined;
    if (sleeper) {
      const handles = [
        success(sleeper, before, 1029, homeOf(sleeper), dev(sleeper), g.pages.login),
        success(sleeper, back, 1029, homeOf(sleeper), dev(sleeper), g.pages.login),
      ];
      keepQuiet(sleeper, -Infinity, back + HOUR);
      const days = Math.round((back - before) / DAY);
      add('dormant-account', true, sleeper.id, handles, `first login in ${days} days`);
    }
  }
  {
    // A disabled account: its address still gets tried, and (an anomaly) a success appears.
    const gone = people.find((p) => p.status === 2 && !p.deleted && p.terminated !== undefined && p.terminated < g.end - 2 * DAY);
    if (gone) {
      const t0 = gone.terminated! + Math.min(rng.int(1, 5) * DAY, Math.floor((g.end - gone.terminated!) / 2));
      const place = attackPlace();
      const device = attackDevice();
      const tries = [0, 1, 2].map((k) => fail(t0 + k * rng.int(30, 90) * 1000, email(gone), place, device));
      add('disabled-account-attempts', true, gone.email.toLowerCase(), tries, 'logins tried for a disabled account');
      const late = t0 + rng.int(2, 6) * HOUR;
      add('disabled-account-success', true, gone.id, [success(gone, late, 1010, place, device, g.pages.api)], 'a success dated after the account was disabled');
    }
  }
  {
    // A password typed into the login field, then the same person logs in properly.
    const user = take();
    if (user) {
      const time = slotTime();
      const place = homeOf(user);
      const handles = [
        fail(time, t.logins.intern(user.password), place, dev(user), g.pages.login),
        success(user, time + rng.int(8, 25) * 1000, 1029, place, dev(user), g.pages.login),
      ];
      keepQuiet(user, time - HOUR, time + HOUR);
      add('password-in-login', true, t.places.get(place).shownIp, handles, 'the failure’s login is the member’s password');
    }
  }

  writeBenign(g, sink, rng, { take, slotTime, homeOf, dev, email, fail, success, keepQuiet, add });

  return {
    drafts,
    drop: (_handle, user, login, time) =>
      quiet.some((q) => time >= q.from && time <= q.to && (user === q.user || (user === g.guest && q.logins.has(login)))),
  };
}

interface Helpers {
  take(want?: (p: EmulatorPerson) => boolean): EmulatorPerson | undefined;
  slotTime(): number;
  homeOf(p: EmulatorPerson): number;
  dev(p: EmulatorPerson): [number, number];
  email(p: EmulatorPerson): number;
  fail(time: number, login: number, place: number, device: [number, number], page?: number): number;
  success(p: EmulatorPerson, time: number, action: number, place: number, device: [number, number], page: number): number;
  keepQuiet(p: EmulatorPerson, from: number, to: number): void;
  add(kind: ScenarioKind, malicious: boolean, groupKey: string, handles: number[], description: string): void;
}

/** The look-alikes: what detectors must not flag. */
function writeBenign(g: EventGenerator, sink: EventSink, rng: Rng, h: Helpers): void {
  const t = g.tables;
  {
    // A typo: one wrong password, the right one seconds later, from the usual place.
    const user = h.take();
    if (user) {
      const time = h.slotTime();
      const handles = [
        h.fail(time, h.email(user), h.homeOf(user), h.dev(user), g.pages.login),
        h.success(user, time + rng.int(6, 30) * 1000, 1029, h.homeOf(user), h.dev(user), g.pages.login),
      ];
      h.keepQuiet(user, time - HOUR, time + HOUR);
      h.add('benign-typo', false, user.email.toLowerCase(), handles, 'one typo, then the login');
    }
  }
  {
    // An office behind one NAT address: the morning's logins, a couple after a typo.
    const byCity = new Map<string, EmulatorPerson[]>();
    for (const p of g.people) {
      if (p.status !== 1 || p.deleted || p.neverLoggedIn || p.role === 'owner') continue;
      const city = p.places[0].city;
      byCity.set(city, [...(byCity.get(city) ?? []), p]);
    }
    const [city] = [...byCity].sort((a, b) => b[1].length - a[1].length)[0] ?? [''];
    const office = OFFICE_CITIES.find((c) => c.city === city);
    const staff: EmulatorPerson[] = [];
    for (let p = h.take((x) => x.places[0].city === city); p && staff.length < 12; ) {
      staff.push(p);
      if (staff.length < 12) p = h.take((x) => x.places[0].city === city);
    }
    if (office && staff.length >= 3) {
      const place = t.places.intern(ipIn(rng, office), office.country, office.city);
      let time = h.slotTime();
      const handles: number[] = [];
      for (const p of staff) {
        if (rng.chance(0.2)) {
          handles.push(h.fail(time, h.email(p), place, h.dev(p), g.pages.login));
          time += rng.int(5, 20) * 1000;
        }
        handles.push(h.success(p, time, 1029, place, h.dev(p), g.pages.login));
        h.keepQuiet(p, time - 6 * HOUR, time + 6 * HOUR);
        time += rng.int(1, 6) * MIN;
      }
      h.add('benign-office-nat', false, t.places.get(place).shownIp, handles, `${staff.length} colleagues behind one office address`);
    }
  }
  {
    // A traveller: home, then a flight's worth of hours later, a city far away. Not an admin: an
    // admin in a country never seen for them is what DSL-017 exists to raise, trip or not.
    const user = h.take((p) => CITY_BY_NAME.has(p.places[0].city) && p.role !== 'admin');
    if (user) {
      const home = CITY_BY_NAME.get(user.places[0].city)!;
      const away = rng.pick(OFFICE_CITIES.filter((c) => distanceKm(home, c) > 1000));
      const t0 = h.slotTime();
      const hours = Math.ceil(distanceKm(home, away) / 600) + rng.int(3, 6);
      const t1 = t0 + hours * HOUR;
      const place = t.places.intern(ipIn(rng, away), away.country, away.city);
      const handles = [
        h.success(user, t0, 1029, h.homeOf(user), h.dev(user), g.pages.login),
        h.success(user, t1, 1029, place, h.dev(user), g.pages.login),
      ];
      h.keepQuiet(user, t0 - DAY, t1 + 3 * DAY);
      h.add('benign-traveller', false, user.id, handles, `${home.city} to ${away.city} in ${hours} hours`);
    }
  }
}
