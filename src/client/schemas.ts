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

export const loginEventSchema = z.looseObject({
  id: z.number().check(z.int()),
  date: z.string(),
  user: optionalText,
  userId: z.string(),
  login: optionalText,
  action: optionalText,
  actionId: z.number().check(z.int()),
  ip: optionalText,
  country: optionalText,
  city: optionalText,
  browser: optionalText,
  platform: optionalText,
  page: optionalText,
});

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

export function parseLoginEvent(raw: unknown): EventParse {
  const result = loginEventSchema.safeParse(raw);
  // The served object itself, not zod's copy: the schema transforms nothing, so the two hold the
  // same values, and the served one keeps the server's key order for `event.original` and `raw`.
  if (result.success) return { ok: true, event: raw as RawLoginEvent };
  const id =
    raw && typeof raw === 'object' && 'id' in raw ? String((raw as { id: unknown }).id) : 'without an id';
  return { ok: false, reason: `event ${id}: ${describeIssue(result.error)}`, raw };
}
