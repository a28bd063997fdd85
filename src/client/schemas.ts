/**
 * Runtime validation at the edge. Every response passes one of these schemas; inside the
 * library the types are trusted. Unknown fields pass through untouched (newer servers add
 * fields); a wrong type names the field and, for events, the event id.
 *
 * Written with zod's "mini" API: the same checks and messages as classic zod, but a command
 * that loads the client compiles about 40 KB of validation code instead of 750 KB (most of the
 * start-up of an incremental sync with nothing new was spent compiling zod).
 */
import type { $ZodError } from 'zod/v4/core';
import * as z from './zod.js';
import type { RawLoginEvent } from '../model/event.js';

export const envelopeSchema = z.looseObject({
  response: z.optional(z.unknown()),
  count: z.optional(z.number()),
  total: z.optional(z.number()),
  status: z.optional(z.number()),
  statusCode: z.optional(z.number()),
  links: z.optional(z.array(z.unknown())),
});

// The server omits null properties; `login`, `browser`, `platform`, `page` and `city` are often absent.
const optionalText = z.nullish(z.string());

/**
 * A login event's fields, each with its kind, written once: the zod schema and the plain check
 * of the hot path (`parseLoginEvent`) are both made from this table, so they cannot drift apart.
 */
const EVENT_FIELD_KINDS = {
  id: 'int',
  date: 'text',
  user: 'optionalText',
  userId: 'text',
  login: 'optionalText',
  action: 'optionalText',
  actionId: 'int',
  ip: 'optionalText',
  country: 'optionalText',
  city: 'optionalText',
  browser: 'optionalText',
  platform: 'optionalText',
  page: 'optionalText',
} as const;
type FieldKind = (typeof EVENT_FIELD_KINDS)[keyof typeof EVENT_FIELD_KINDS];

const fieldSchemas = {
  int: z.number().check(z.int()),
  text: z.string(),
  optionalText,
} as const;

/** What each kind's schema accepts, without zod (which only ever sees JSON values here). */
const fieldAccepts: Record<FieldKind, (value: unknown) => boolean> = {
  int: (v) => Number.isSafeInteger(v),
  text: (v) => typeof v === 'string',
  optionalText: (v) => v === undefined || v === null || typeof v === 'string',
};

type EventShape = { [K in keyof typeof EVENT_FIELD_KINDS]: (typeof fieldSchemas)[(typeof EVENT_FIELD_KINDS)[K]] };
const eventFields = Object.entries(EVENT_FIELD_KINDS) as Array<[keyof typeof EVENT_FIELD_KINDS, FieldKind]>;

export const loginEventSchema = z.looseObject(
  Object.fromEntries(eventFields.map(([key, kind]) => [key, fieldSchemas[kind]])) as EventShape,
);

const eventChecks = eventFields.map(([key, kind]) => ({ key, accepts: fieldAccepts[kind] }));

/** Every field as the schema wants it: true exactly when `loginEventSchema` would accept `raw`. */
function wellFormedEvent(raw: unknown): raw is RawLoginEvent {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return false;
  const fields = raw as Record<string, unknown>;
  for (let i = 0; i < eventChecks.length; i++) {
    if (!eventChecks[i].accepts(fields[eventChecks[i].key])) return false;
  }
  return true;
}

/**
 * DocSpace stores 1..180 days and refuses anything else when it is set; a value outside that
 * range comes from a broken server or proxy, and would move sync floors and purge warnings
 * decades away (or to now), so it is refused here rather than trusted inside.
 */
export const RETENTION_DAYS = { min: 1, max: 180 } as const;

export const auditSettingsSchema = z.looseObject({
  loginHistoryLifeTime: z.number().check(z.int(), z.gte(RETENTION_DAYS.min), z.lte(RETENTION_DAYS.max)),
  auditTrailLifeTime: z.optional(z.number().check(z.int())),
  lastModified: z.optional(z.string()),
});
export type AuditSettings = z.infer<typeof auditSettingsSchema>;

export const quotaSchema = z.looseObject({
  tenantId: z.optional(z.number()),
  name: z.optional(z.string()),
  trial: z.optional(z.boolean()),
  free: z.optional(z.boolean()),
  audit: z.optional(z.boolean()),
  countUser: z.optional(z.number()),
});
export type Quota = z.infer<typeof quotaSchema>;

export const personSchema = z.looseObject({
  id: z.string(),
  displayName: z.optional(z.string()),
  firstName: z.optional(z.string()),
  lastName: z.optional(z.string()),
  userName: z.optional(z.string()),
  email: z.optional(z.string()),
  status: z.optional(z.number()),
  activationStatus: z.optional(z.number()),
  isOwner: z.optional(z.boolean()),
  isAdmin: z.optional(z.boolean()),
  isRoomAdmin: z.optional(z.boolean()),
  isCollaborator: z.optional(z.boolean()),
  isVisitor: z.optional(z.boolean()),
  registrationDate: z.optional(z.string()),
});
export type Person = z.infer<typeof personSchema>;

/** A page of members (`people`, `people/filter`). */
export const personListSchema = z.array(personSchema);

export const authTokenSchema = z.looseObject({
  token: z.optional(z.string()),
  expires: z.optional(z.string()),
  sms: z.optional(z.boolean()),
  tfa: z.optional(z.boolean()),
});

export const activeConnectionsSchema = z.looseObject({
  loginEvent: z.optional(z.number()),
  items: z.array(
    z.looseObject({ id: z.number(), userId: z.optional(z.string()), date: z.optional(z.string()) }),
  ),
});
export type ActiveConnections = z.infer<typeof activeConnectionsSchema>;

/** `GET keys/@self` and `GET keys`: an API key as the portal describes it (never the key itself). */
export const apiKeySchema = z.looseObject({
  id: z.string(),
  name: z.nullish(z.string()),
  keyPostfix: z.nullish(z.string()),
  /** Empty (or `*`) means full access. */
  permissions: z.nullish(z.array(z.string())),
  lastUsed: z.nullish(z.string()),
  isActive: z.optional(z.boolean()),
});

/** One record of the audit trail (`security/audit/events/filter`): who did what to which targets. */
export const auditEventSchema = z.looseObject({
  id: z.number(),
  date: z.optional(z.string()),
  userId: z.nullish(z.string()),
  action: z.nullish(z.string()),
  actionId: z.number(),
  target: z.nullish(z.array(z.string())),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** `field "date": expected string, received number` for the first issue of a failed parse. */
export function describeIssue(error: $ZodError): string {
  const issue = error.issues[0];
  const field = issue.path.length ? issue.path.join('.') : '(value)';
  return `field "${field}": ${issue.message}`;
}

export type EventParse = { ok: true; event: RawLoginEvent } | { ok: false; reason: string; raw: unknown };

/**
 * One served event, checked. The plain check answers for the well-formed events that make up
 * nearly every page (zod cost about as much CPU as parsing the JSON, on every event of a full
 * read); zod only runs on an event that fails it, to name the field as it always has.
 */
export function parseLoginEvent(raw: unknown): EventParse {
  // The served object itself, not a copy: the schema transforms nothing, so the two hold the
  // same values, and the served one keeps the server's key order for `event.original` and `raw`.
  if (wellFormedEvent(raw)) return { ok: true, event: raw };
  const result = loginEventSchema.safeParse(raw);
  if (result.success) return { ok: true, event: raw as RawLoginEvent };
  const id =
    raw && typeof raw === 'object' && 'id' in raw ? String((raw as { id: unknown }).id) : 'without an id';
  return { ok: false, reason: `event ${id}: ${describeIssue(result.error)}`, raw };
}
