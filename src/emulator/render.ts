/**
 * Login events as the server renders them (LoginEventDto): the display name joined at read time,
 * the action text, the IP trimmed at its first `:`, and null fields left out.
 */
import { ACTIONS } from '../model/actions.js';
import { GUEST_ID } from '../model/ids.js';
import type { ApiDates } from './api-date.js';
import type { EmulatorPerson } from './data/people.js';
import type { EventStore } from './store.js';

/** A login event as the emulator serves it. */
export interface ServedEvent {
  id: number;
  date: string;
  user: string;
  userId: string;
  login?: string;
  action: string;
  actionId: number;
  ip: string;
  country: string;
  city: string;
  browser?: string;
  platform?: string;
  page?: string;
}

/** The `user` field: the joined row's names, else the login, else Anonymous / Unknown Account. */
export function displayUser(person: EmulatorPerson | undefined, login: string | null, userId: string): string {
  if (person && !person.deleted) {
    if (person.firstName && person.lastName) return `${person.firstName} ${person.lastName}`;
    if (person.firstName || person.lastName) return person.firstName || person.lastName;
  }
  if (login?.trim()) return login;
  return userId === GUEST_ID ? 'Anonymous' : 'Unknown Account';
}

/** Action text; in "limited" mode each description part of 50+ chars becomes 47 chars + `...`. */
export function actionText(code: number, description: string | null, limited: boolean): string {
  const info = ACTIONS.get(code);
  if (!info) return '';
  if (!info.label.includes('{0}')) return info.label;
  // string.Format with a missing argument throws; the mapper then answers "".
  if (description === null) return '';
  const parts = description
    .split(',')
    .map((part) => (limited && part.length >= 50 ? `${part.slice(0, 47)}...` : part))
    .join(', ');
  return info.label.replace('{0}', parts);
}

/** Stored pages are paths unless they name another host (an identity provider). */
export function pageUrl(page: string | null, origin: string): string | undefined {
  if (page === null) return undefined;
  return /^https?:\/\//.test(page) ? page : origin + page;
}

export class EventRenderer {
  /** Date text served instead of the real one, by event id (the odd-date faults). */
  readonly dateOverrides = new Map<number, string>();
  /** JSON-escaped table strings, built lazily (the hot path of `filter` concatenates them). */
  private readonly jsonCache = new Map<object, string[]>();
  private readonly actionJson = new Map<string, string>();
  private pageJsonOrigin = '';
  private pageJson: string[] = [];

  constructor(
    private readonly store: EventStore,
    private readonly dates: ApiDates,
    private readonly personOf: (userIndex: number) => EmulatorPerson | undefined,
  ) {}

  private date(id: number, time: number): string {
    return (this.dateOverrides.size && this.dateOverrides.get(id)) || this.dates.format(time);
  }

  /** The event in physical row `row`. */
  render(row: number, origin: string, limited = false): ServedEvent {
    const c = this.store.columns;
    const t = this.store.tables;
    const userIndex = c.user[row];
    const userId = t.users.get(userIndex) ?? GUEST_ID;
    const login = t.logins.get(c.login[row]);
    const actionId = c.action[row];
    const place = t.places.get(c.place[row]);
    const e: ServedEvent = {
      id: c.id[row],
      date: this.date(c.id[row], c.time[row]),
      user: displayUser(this.personOf(userIndex), login, userId),
      userId,
      login: login ?? undefined,
      action: actionText(actionId, t.descriptions.get(c.description[row]), limited),
      actionId,
      ip: place.shownIp,
      country: place.country,
      city: place.city,
      browser: t.browsers.get(c.browser[row]) ?? undefined,
      platform: t.platforms.get(c.platform[row]) ?? undefined,
      page: pageUrl(t.pages.get(c.page[row]), origin),
    };
    if (e.login === undefined) delete e.login;
    if (e.browser === undefined) delete e.browser;
    if (e.platform === undefined) delete e.platform;
    if (e.page === undefined) delete e.page;
    return e;
  }

  private quoted(table: { get(i: number): string | null }, i: number): string {
    let cache = this.jsonCache.get(table);
    if (!cache) {
      cache = [];
      this.jsonCache.set(table, cache);
    }
    let q = cache[i];
    if (q === undefined) {
      q = JSON.stringify(table.get(i) ?? '');
      cache[i] = q;
    }
    return q;
  }

  /** The same as `JSON.stringify(render(...))`, several times faster. */
  json(row: number, origin: string, limited = false): string {
    const c = this.store.columns;
    const t = this.store.tables;
    const userIndex = c.user[row];
    const loginIndex = c.login[row];
    const person = this.personOf(userIndex);
    const actionId = c.action[row];
    const description = c.description[row];
    const actionKey = `${actionId}:${description}:${limited ? 1 : 0}`;
    let action = this.actionJson.get(actionKey);
    if (action === undefined) {
      action = JSON.stringify(actionText(actionId, t.descriptions.get(description), limited));
      this.actionJson.set(actionKey, action);
    }
    const userId = this.quoted(t.users, userIndex);
    const user =
      person && !person.deleted && (person.firstName || person.lastName)
        ? JSON.stringify(displayUser(person, null, ''))
        : JSON.stringify(displayUser(undefined, t.logins.get(loginIndex), t.users.get(userIndex) ?? GUEST_ID));
    const place = t.places.get(c.place[row]);
    const id = c.id[row];
    let s = `{"id":${id},"date":"${this.date(id, c.time[row])}","user":${user},"userId":${userId}`;
    if (loginIndex !== 0) s += `,"login":${this.quoted(t.logins, loginIndex)}`;
    s += `,"action":${action},"actionId":${actionId},"ip":${JSON.stringify(place.shownIp)},"country":${JSON.stringify(place.country)},"city":${JSON.stringify(place.city)}`;
    const browser = c.browser[row];
    if (browser !== 0) s += `,"browser":${this.quoted(t.browsers, browser)}`;
    const platform = c.platform[row];
    if (platform !== 0) s += `,"platform":${this.quoted(t.platforms, platform)}`;
    const page = c.page[row];
    if (page !== 0) {
      if (origin !== this.pageJsonOrigin) {
        this.pageJsonOrigin = origin;
        this.pageJson = [];
      }
      let q = this.pageJson[page];
      if (q === undefined) {
        q = JSON.stringify(pageUrl(t.pages.get(page), origin));
        this.pageJson[page] = q;
      }
      s += `,"page":${q}`;
    }
    return `${s}}`;
  }
}
