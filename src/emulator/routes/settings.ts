/**
 * `settings/iprestrictions` (an allow-list of single addresses) and
 * `settings/security/loginSettings` (the brute-force thresholds); every change is audited.
 */
import { argumentError } from '../dotnet.js';
import type { Ctx, EmulatorResponse } from '../http/context.js';
import { EmulatorError } from '../http/error.js';
import { api, requireAdmin, type Route } from '../http/middleware.js';
import { envelope, readJson } from '../http/respond.js';
import { parseIp } from '../geo.js';
import { sevenDigitsUtc } from '../api-date.js';
import { DEFAULT_LOGIN_SETTINGS, type LoginSettings } from '../security/index.js';
import type { EmulatorState } from '../state.js';
import { actor } from './security.js';

export function settingsRoutes(state: EmulatorState): Route[] {
  const admin = (method: string) => [requireAdmin(method, 64)];
  return [
    {
      method: 'GET',
      pattern: api('settings/iprestrictions'),
      use: admin('GetIpRestrictionsAsync'),
      handler: (c) => envelope(c, state.ipRestrictions.rows),
    },
    {
      method: 'PUT',
      pattern: api('settings/iprestrictions'),
      use: admin('SaveIpRestrictionsAsync'),
      handler: (c) => saveIpRestrictions(state, c),
    },
    {
      method: 'GET',
      pattern: api('settings/iprestrictions/settings'),
      use: admin('ReadIpRestrictionsSettingsAsync'),
      handler: (c) =>
        envelope(c, {
          enable: state.ipRestrictions.enable,
          lastModified: sevenDigitsUtc(state.ipRestrictions.lastModified ?? state.now()),
        }),
    },
    {
      method: 'GET',
      pattern: api('settings/security/loginSettings'),
      use: admin('GetLoginSettingsAsync'),
      handler: (c) => envelope(c, loginSettingsDto(state)),
    },
    {
      method: 'PUT',
      pattern: api('settings/security/loginSettings'),
      use: admin('UpdateLoginSettingsAsync'),
      handler: (c) => saveLoginSettings(state, c),
    },
    {
      method: 'DELETE',
      pattern: api('settings/security/loginSettings'),
      use: admin('SetDefaultLoginSettingsAsync'),
      handler: (c) => {
        state.bruteForce.settings = { ...DEFAULT_LOGIN_SETTINGS };
        state.writeAudit(actor(c), 6095);
        return envelope(c, loginSettingsDto(state));
      },
    },
  ];
}

function loginSettingsDto(state: EmulatorState) {
  return { ...state.bruteForce.settings, isDefault: state.bruteForce.isDefault };
}

async function bodyObject(ctx: Ctx, type: string): Promise<Record<string, unknown>> {
  const body = await readJson(ctx);
  const value = body.ok ? body.value : undefined;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    throw new EmulatorError(400, { validation: { inDto: [`The ${type} field is required.`] } });
  }
  return value as Record<string, unknown>;
}

/**
 * PUT replaces the whole list. Only single addresses are saved: a CIDR or an `a-b` range is an
 * ArgumentException, although the matcher would understand them.
 */
async function saveIpRestrictions(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
  const dto = await bodyObject(ctx, 'inDto');
  const list = Array.isArray(dto.ipRestrictions) ? dto.ipRestrictions : [];
  const rows = list.map((r: unknown) => {
    const row = (r ?? {}) as Record<string, unknown>;
    const ip = typeof row.ip === 'string' ? row.ip.trim() : '';
    if (!parseIp(ip)) throw argumentError(`Invalid IP address: ${ip}`);
    return { ip, forAdmin: row.forAdmin === true };
  });
  const enable = typeof dto.enable === 'boolean' ? dto.enable : undefined;
  state.ipRestrictions.replace(rows, enable, state.now());
  state.writeAudit(actor(ctx), 6094);
  return envelope(ctx, state.ipRestrictions.rows);
}

async function saveLoginSettings(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
  const dto = await bodyObject(ctx, 'inDto');
  const next: LoginSettings = { ...state.bruteForce.settings };
  const errors: Record<string, string[]> = {};
  for (const key of ['attemptCount', 'blockTime', 'checkPeriod'] as const) {
    const v = dto[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 9999) {
      errors[key] = [`The field ${key[0].toUpperCase()}${key.slice(1)} must be between 1 and 9999.`];
    } else next[key] = v;
  }
  if (Object.keys(errors).length) throw new EmulatorError(400, { validation: errors });
  state.bruteForce.settings = next;
  state.writeAudit(actor(ctx), 6095);
  return envelope(ctx, loginSettingsDto(state));
}
