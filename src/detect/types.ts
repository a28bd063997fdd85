import type { LoginEvent } from '../model/event.js';

export type Severity = 'low' | 'medium' | 'high' | 'critical';
export const SEVERITIES: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** A member of the portal as the people API describes them (the fields detections read). */
export interface Member {
  id: string;
  email?: string | null;
  userName?: string | null;
  displayName?: string | null;
  /** 1 active, 2 disabled (terminated), 4 invited. */
  status?: number;
  isOwner?: boolean;
  isAdmin?: boolean;
  /** When the account was disabled (ISO), present only while it is. */
  terminated?: string | null;
  registrationDate?: string | null;
}

export interface DetectContext {
  /** The people directory: who owns which typed login, roles and status. Without it failures stay unattributed. */
  people?: readonly Member[];
  /**
   * The portal's UTC offset in minutes at an instant, for local-time features (off-hours).
   * Defaults to the offset each event carries, which is the portal's.
   */
  zoneOffset?: (time: number) => number;
  /**
   * Key for the HMAC that stands in for typed logins that may be passwords. Keep it secret and
   * stable: findings are keyed on the hash. Without it the hash is unkeyed (and says so).
   */
  secret?: string;
  /** Per-rule parameter overrides: `{ 'DSL-001': { threshold: 20 } }`. */
  params?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

/** One detection: created when a rule fires, then updated while later matches attach to it. */
export interface Finding {
  /** Deterministic: hash of rule, group key and window start. */
  id: string;
  rule: string;
  title: string;
  severity: Severity;
  tags: string[];
  /** The group the rule counted over, e.g. a target login, an IP, a user id; `*` for portal-wide. */
  group: string;
  /** Time of its first and newest event (epoch ms; ISO text is made only where findings are printed or sent). */
  firstSeen: number;
  lastSeen: number;
  /** Matching events (those in the window when it fired, plus every later match attached). */
  count: number;
  /** Ids of the matching events (at most 1000, oldest first). */
  eventIds: number[];
  /** Ids of successful-login events among them: each is a session id (logout by login-event id). */
  sessionIds: number[];
  /** `low` when places could not be resolved to a city and the rule ran on coarser data. */
  confidence: 'high' | 'low';
  evidence: Record<string, unknown>;
}

/**
 * The fields of a login event that detection reads: a LoginEvent is one, and the archive's
 * detection scan (store/events-scan.ts) reads only these columns. The typed login matters only
 * for anonymous events (whom a failure aims at), so the scan leaves it null on the others.
 */
export type DetectEvent = Pick<
  LoginEvent,
  'id' | 'time' | 'offsetMinutes' | 'userId' | 'login' | 'anonymous' | 'actionId' | 'kind' | 'ip' | 'country' | 'city' | 'browser' | 'platform'
> & {
  /**
   * One object for every event that carries the same strings (outcome, user, address, place,
   * device, typed login), where the engine keeps what it derives from them (whom a failure aims
   * at, the member's role, the country code, place and device keys), so it derives them once per
   * such set instead of once per event. The archive's detection scan sets it; optional elsewhere.
   */
  shared?: SharedStrings;
};

/** See `DetectEvent.shared`: made empty by whoever groups the events, filled by the engine. */
export interface SharedStrings {
  derived: unknown;
}

export type EventSource = AsyncIterable<DetectEvent> | Iterable<DetectEvent>;
