/**
 * `keys`: API keys with their scopes and `lastUsed` (admins see everyone's), creating, updating
 * (deactivating) and deleting them; changes are audited.
 */
import { sevenDigitsUtc } from '../api-date.js';
import { accessDenied } from '../dotnet.js';
import { isAdmin } from '../http/auth.js';
import type { Ctx, EmulatorResponse } from '../http/context.js';
import { EmulatorError } from '../http/error.js';
import { api, type Route } from '../http/middleware.js';
import { envelope, readJson } from '../http/respond.js';
import { type ApiKey, KEY_SCOPES } from '../security/index.js';
import type { EmulatorState } from '../state.js';
import { actor } from './security.js';

export function keysRoutes(state: EmulatorState): Route[] {
  return [
    { method: 'GET', pattern: api('keys'), handler: (c) => listKeys(state, c) },
    { method: 'GET', pattern: api('keys/permissions'), handler: (c) => envelope(c, KEY_SCOPES) },
    {
      method: 'GET',
      pattern: api('keys/@self'),
      handler: (c) => envelope(c, c.identity!.key ? keyDto(state, c.identity!.key) : null),
    },
    { method: 'POST', pattern: api('keys'), handler: (c) => createKey(state, c) },
    { method: 'PUT', pattern: api('keys/([^/]+)'), handler: (c) => updateKey(state, c) },
    { method: 'DELETE', pattern: api('keys/([^/]+)'), handler: (c) => deleteKey(state, c) },
  ];
}

function keyDto(state: EmulatorState, k: ApiKey, withKey = false) {
  return {
    id: k.id,
    name: k.name,
    ...(withKey ? { key: k.key } : {}),
    keyPostfix: k.key.slice(-4),
    permissions: k.permissions,
    lastUsed: k.lastUsed !== undefined ? state.formatDate(k.lastUsed) : undefined,
    createOn: state.formatDate(k.createOn),
    createBy: k.person.id,
    expiresAt: k.expiresAt !== undefined ? sevenDigitsUtc(k.expiresAt) : undefined,
    isActive: k.isActive,
  };
}

/** Admins see every key, others their own. */
function listKeys(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const caller = ctx.identity!.person;
  const keys = state.keys.all().filter((k) => isAdmin(caller) || k.person.id === caller.id);
  return envelope(
    ctx,
    keys.map((k) => keyDto(state, k)),
  );
}

/** The key named in the path, if the caller may manage it. */
function ownKey(state: EmulatorState, ctx: Ctx): ApiKey {
  const key = state.keys.withId(ctx.params[0]);
  const caller = ctx.identity!.person;
  if (!key) throw new EmulatorError(404);
  if (key.person.id !== caller.id && !isAdmin(caller)) throw accessDenied('UpdateApiKey', 121);
  return key;
}

async function body(ctx: Ctx): Promise<Record<string, unknown>> {
  const b = await readJson(ctx);
  const value = b.ok ? b.value : undefined;
  return value && typeof value === 'object' ? (value as Record<string, unknown>) : {};
}

function permissionsOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string' || (p !== '*' && !KEY_SCOPES.includes(p)))) {
    throw new EmulatorError(400, { validation: { permissions: ['Unknown permission.'] } });
  }
  return value as string[];
}

async function createKey(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
  const caller = ctx.identity!.person;
  if (caller.role === 'guest') throw accessDenied('CreateApiKey', 64);
  const dto = await body(ctx);
  const name = typeof dto.name === 'string' && dto.name.trim() ? dto.name.trim() : 'API key';
  const days = typeof dto.expiresInDays === 'number' && dto.expiresInDays > 0 ? dto.expiresInDays : undefined;
  const key = state.keys.create(caller, name, permissionsOf(dto.permissions), state.now(), days);
  state.writeAudit(actor(ctx), 6058, [key.id], [key.name]);
  return envelope(ctx, keyDto(state, key, true));
}

/** `{changed: {name?, permissions?, isActive?}}`: deactivating a key revokes it at once. */
async function updateKey(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
  const key = ownKey(state, ctx);
  const dto = await body(ctx);
  const changed = (dto.changed ?? dto) as Record<string, unknown>;
  if (typeof changed.name === 'string') key.name = changed.name;
  if (changed.permissions !== undefined) key.permissions = permissionsOf(changed.permissions);
  if (typeof changed.isActive === 'boolean') key.isActive = changed.isActive;
  state.writeAudit(actor(ctx), 6059, [key.id], [key.name]);
  return envelope(ctx, true);
}

function deleteKey(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const key = ownKey(state, ctx);
  state.keys.delete(key);
  state.writeAudit(actor(ctx), 6060, [key.id], [key.name]);
  return envelope(ctx, true);
}
