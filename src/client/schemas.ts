/**
 * Runtime validation at the edge. Every response passes one of these schemas; inside the
 * library the types are trusted. Unknown fields pass through untouched (newer servers add
 * fields); a wrong type names the field and, for events, the event id.
 */
import { z } from 'zod';
import type { RawLoginEvent } from '../model/event.js';

export const envelopeSchema = z.looseObject({
  response: z.unknown().optional(),
  count: z.number().optional(),
  total: z.number().optional(),
  status: z.number().optional(),
  statusCode: z.number().optional(),
  links: z.array(z.unknown()).optional(),
});

// The server omits null properties; `login`, `browser`, `platform`, `page` and `city` are often absent.
const optionalText = z.string().nullish();

export const loginEventSchema = z.looseObject({
  id: z.number().int(),
  date: z.string(),
  user: optionalText,
  userId: z.string(),
  login: optionalText,
  action: optionalText,
  actionId: z.number().int(),
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
  loginHistoryLifeTime: z.number().int().min(RETENTION_DAYS.min).max(RETENTION_DAYS.max),
  auditTrailLifeTime: z.number().int().optional(),
  lastModified: z.string().optional(),
});
export type AuditSettings = z.infer<typeof auditSettingsSchema>;

export const quotaSchema = z.looseObject({
  tenantId: z.number().optional(),
  name: z.string().optional(),
  trial: z.boolean().optional(),
  free: z.boolean().optional(),
  audit: z.boolean().optional(),
  countUser: z.number().optional(),
});
export type Quota = z.infer<typeof quotaSchema>;

export const personSchema = z.looseObject({
  id: z.string(),
  displayName: z.string().optional(),
  firstName: z.string().optional(),
  lastName: z.string().optional(),
  userName: z.string().optional(),
  email: z.string().optional(),
  status: z.number().optional(),
  activationStatus: z.number().optional(),
  isOwner: z.boolean().optional(),
  isAdmin: z.boolean().optional(),
  isRoomAdmin: z.boolean().optional(),
  isCollaborator: z.boolean().optional(),
  isVisitor: z.boolean().optional(),
  registrationDate: z.string().optional(),
});
export type Person = z.infer<typeof personSchema>;

export const authTokenSchema = z.looseObject({
  token: z.string().optional(),
  expires: z.string().optional(),
  sms: z.boolean().optional(),
  tfa: z.boolean().optional(),
});

export const activeConnectionsSchema = z.looseObject({
  loginEvent: z.number().optional(),
  items: z.array(
    z.looseObject({ id: z.number(), userId: z.string().optional(), date: z.string().optional() }),
  ),
});
export type ActiveConnections = z.infer<typeof activeConnectionsSchema>;

/** `GET keys/@self` and `GET keys`: an API key as the portal describes it (never the key itself). */
export const apiKeySchema = z.looseObject({
  id: z.string(),
  name: z.string().nullish(),
  keyPostfix: z.string().nullish(),
  /** Empty (or `*`) means full access. */
  permissions: z.array(z.string()).nullish(),
  lastUsed: z.string().nullish(),
  isActive: z.boolean().optional(),
});
export type ApiKeyInfo = z.infer<typeof apiKeySchema>;

/** One record of the audit trail (`security/audit/events/filter`): who did what to which targets. */
export const auditEventSchema = z.looseObject({
  id: z.number(),
  date: z.string().optional(),
  userId: z.string().nullish(),
  action: z.string().nullish(),
  actionId: z.number(),
  target: z.array(z.string()).nullish(),
});
export type AuditEvent = z.infer<typeof auditEventSchema>;

/** `field "date": expected string, received number` for the first issue of a failed parse. */
export function describeIssue(error: z.ZodError): string {
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
