/**
 * `security/audit/*`: the login history (`login/last`, `login/filter`, with the server's
 * window-then-filter order and its no-audit fallback) and the retention settings.
 */
import { sevenDigitsUtc } from '../api-date.js';
import { argumentError, billingError, bindAuditQuery, ModelErrors } from '../dotnet.js';
import type { Ctx, EmulatorResponse } from '../http/context.js';
import { EmulatorError } from '../http/error.js';
import { api, requireAdmin, type Route } from '../http/middleware.js';
import { envelope, fieldsOf, JSON_TYPE, links, readJson, reply } from '../http/respond.js';
import type { EmulatorState } from '../state.js';

/** `login/last` answers the newest twenty, always. */
export const LAST_COUNT = 20;

export function auditRoutes(state: EmulatorState): Route[] {
  return [
    {
      method: 'GET',
      pattern: api('security/audit/login/last'),
      use: [requireAdmin('GetLastLoginEventsAsync', 94)],
      handler: (c) => lastEvents(state, c),
    },
    {
      method: 'GET',
      pattern: api('security/audit/login/filter'),
      use: [requireAdmin('GetLoginEventsByFilterAsync', 118)],
      handler: (c) => filterEvents(state, c),
    },
    {
      method: 'GET',
      pattern: api('security/audit/settings/lifetime'),
      use: [requireAdmin('GetAuditSettingsAsync', 212)],
      handler: (c) => envelope(c, settingsDto(state)),
    },
    {
      method: 'POST',
      pattern: api('security/audit/settings/lifetime'),
      use: [requireAdmin('SetAuditSettingsAsync', 233)],
      handler: (c) => setLifetime(state, c),
    },
  ];
}

/** Login events in the envelope; without `fields` trimming the JSON is concatenated directly. */
function events(state: EmulatorState, ctx: Ctx, rows: number[], limited: boolean): EmulatorResponse {
  if (fieldsOf(ctx)) return envelope(ctx, rows.map((row) => state.renderEvent(row, ctx.origin, limited)));
  const items = rows.map((row) => state.renderEventJson(row, ctx.origin, limited)).join(',');
  const body = `{"response":[${items}],"count":${rows.length},"links":${JSON.stringify(links(ctx))},"status":0,"statusCode":200}`;
  return reply(ctx, 200, body, JSON_TYPE);
}

/** `last`: the 20 newest events, limited action text, no parameters. */
function lastEvents(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  return events(state, ctx, state.store.window(0, LAST_COUNT, state.tieRng), true);
}

function filterEvents(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  const q = ctx.query;
  const errors = new ModelErrors();
  const { count, startIndex, userId, action, from, to } = bindAuditQuery(q, errors);
  const userIndex = userId === undefined ? undefined : state.tables.users.find(userId);
  const dates = { from, to };
  errors.throwIfAny();
  if (!state.audit) return lastEvents(state, ctx);

  // The repository's order: Skip/Take over the whole tenant history (newest first), THEN the
  // conditions, inside that window.
  const rows = state.store.window(Math.max(startIndex, 0), count, state.tieRng);
  const c = state.store.columns;
  const kept = rows.filter(
    (r) =>
      (userIndex === undefined || c.user[r] === userIndex) &&
      (action === undefined || c.action[r] === action) &&
      (dates.from === undefined || c.time[r] >= dates.from) &&
      (dates.to === undefined || c.time[r] <= dates.to),
  );
  return events(state, ctx, kept, false);
}

function settingsDto(state: EmulatorState) {
  return {
    loginHistoryLifeTime: state.settings.loginHistoryLifeTime,
    auditTrailLifeTime: state.settings.auditTrailLifeTime,
    // A plain DateTime: UTC now when never saved, else the stored timestamp.
    lastModified: sevenDigitsUtc(state.settings.lastModified ?? state.now()),
  };
}

async function setLifetime(state: EmulatorState, ctx: Ctx): Promise<EmulatorResponse> {
  const body = await readJson(ctx);
  if (!body.ok) {
    throw new EmulatorError(400, {
      validation: { $: ['The JSON value could not be converted to TenantAuditSettingsWrapper.'] },
    });
  }
  if (!state.audit) throw billingError();
  const settings = (body.value as { settings?: Record<string, unknown> } | undefined)?.settings;
  if (!settings || typeof settings !== 'object') {
    throw new EmulatorError(400, { validation: { settings: ['The Settings field is required.'] } });
  }
  const values: Record<string, number> = {};
  for (const key of ['loginHistoryLifeTime', 'auditTrailLifeTime']) {
    const v = settings[key] ?? 0;
    if (typeof v !== 'number' || !Number.isInteger(v)) {
      const message = `The JSON value could not be converted to System.Int32. Path: $.settings.${key}`;
      throw new EmulatorError(400, { validation: { [`settings.${key}`]: [message] } });
    }
    values[key] = v;
  }
  for (const [key, v] of Object.entries(values)) {
    // The server's ArgumentException names the property.
    if (v < 1 || v > 180) throw argumentError(key[0].toUpperCase() + key.slice(1));
  }
  const shorter = values.loginHistoryLifeTime < state.settings.loginHistoryLifeTime;
  state.settings.loginHistoryLifeTime = values.loginHistoryLifeTime;
  state.settings.auditTrailLifeTime = values.auditTrailLifeTime;
  state.settings.lastModified = state.now();
  // The real clean-up service applies a shorter lifetime on its next daily run; the emulator
  // applies it at once so that tests and demos see the effect.
  if (shorter) state.applyRetention();
  return envelope(ctx, settingsDto(state));
}
