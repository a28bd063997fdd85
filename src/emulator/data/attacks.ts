/**
 * The unwanted traffic of a generated portal: stray failures, brute-force bursts that end in a
 * lockout, and password sprays. All are anonymous, so they carry the Guest id and the typed login.
 */
import { ATTACK_CITIES } from './catalogue.js';
import type { EventGenerator, EventSink } from './generator.js';
import { ipIn } from './people.js';

/** An address the attack comes from (sometimes IPv6, sometimes unknown to the geo table). */
function attackPlace(g: EventGenerator): number {
  const rng = g.rng;
  if (rng.chance(0.04)) {
    // An IPv6 client: the server keeps only the part before the first ':'.
    const v6 = `2a0${rng.int(1, 9)}:${rng.hex(4)}:${rng.hex(4)}::${rng.hex(3)}`;
    return g.tables.places.intern(v6, '', '');
  }
  const c = rng.pick(ATTACK_CITIES);
  return g.tables.places.intern(ipIn(rng, c), c.country, c.city);
}

/** A stray failure: unknown user, SSO or social failure, recaptcha, a missing email. */
export function singleFailure(g: EventGenerator, sink: EventSink, at?: number): number {
  const rng = g.rng;
  const i = g.pickUser();
  const own = rng.chance(0.5);
  const t = at ?? (own ? g.timeFor(i) : g.uniformTime());
  if (t === undefined) return 0;
  const place = own ? g.placeOf(i) : attackPlace(g);
  const [browser, platform] = own ? g.personDevice[i] : rng.pick(g.attackDevices);
  const r = rng.next();
  let action = 1013;
  let login = own ? g.emailLogin[i] : rng.pick(g.commonLogins);
  let page = g.pages.login;
  if (r < 0.1) {
    action = 1018; // SSO failure: no login, so the user shows as "Anonymous".
    login = 0;
    page = g.pages.sso;
  } else if (r < 0.16) {
    action = 1026;
  } else if (r < 0.22) {
    // A wrong authenticator code after a right password: filed under the member, by name. Only
    // the member themselves, from their own place, while their account is active and has an
    // authenticator: DocSpace checks the status before the code step, and a stranger with the
    // password is an attack, not background. Otherwise the stray try is a wrong password.
    const p = g.people[i];
    if (own && p.tfaAppEnabled && (at === undefined || (p.status === 1 && !p.deleted))) {
      action = 1025;
      login = g.displayLogin[i];
      page = g.pages.tfa;
    }
  } else if (r < 0.26) {
    action = 1020;
    login = 0;
  } else if (r < 0.3) {
    login = g.emailNotSpecified;
  } else if (r < 0.4) {
    action = 1005;
  } else if (r < 0.55) {
    page = g.pages.api;
  }
  const event = g.failure(t, action, login, place, browser, platform, page);
  if (action === 1025) event.user = g.people[i].userIndex;
  return sink.emit(event) < 0 ? 0 : 1;
}

/** Brute force: one address hammers one login, several attempts a second, then the lockout. */
export function burst(g: EventGenerator, sink: EventSink, at?: number): number {
  const rng = g.rng;
  const t0 = at ?? g.uniformTime();
  const place = attackPlace(g);
  const [browser, platform] = rng.pick(g.attackDevices);
  const login = rng.chance(0.6) ? rng.pick(g.targets) : rng.pick(g.commonLogins);
  const attempts = rng.int(10, 45);
  let written = 0;
  let t = t0;
  for (let k = 0; k < attempts; k++) {
    if (t > g.end) break;
    const last = k >= attempts - rng.int(1, 3);
    const action = last ? 1023 : 1013;
    if (sink.emit(g.failure(t, action, login, place, browser, platform, g.pages.api)) < 0) break;
    written++;
    // Several attempts within one second, sometimes a pause.
    if (rng.chance(0.35)) t += rng.chance(0.85) ? 1000 : rng.int(2, 20) * 1000;
  }
  return written;
}

/** Password spray: one address, many logins, one to three attempts each. */
export function spray(g: EventGenerator, sink: EventSink, at?: number): number {
  const rng = g.rng;
  let t = at ?? g.uniformTime();
  const place = attackPlace(g);
  const [browser, platform] = rng.pick(g.attackDevices);
  const logins = rng.int(8, 35);
  let written = 0;
  for (let k = 0; k < logins; k++) {
    const login = rng.chance(0.5) ? rng.pick(g.targets) : rng.pick(g.commonLogins);
    const tries = rng.int(1, 3);
    for (let j = 0; j < tries; j++) {
      if (t > g.end) return written;
      if (sink.emit(g.failure(t, 1013, login, place, browser, platform, g.pages.api)) < 0) return written;
      written++;
      if (rng.chance(0.6)) t += rng.int(1, 8) * 1000;
    }
  }
  return written;
}
