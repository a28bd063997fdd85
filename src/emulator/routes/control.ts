/**
 * `/__emulator/*`, the control API for tests and benchmarks: counters, purge, new events, the
 * odd-date faults, the scenarios' ground truth, the clock and second-factor codes. Loopback
 * callers only, no authentication; everyone else gets a plain 404.
 */
import { type Ctx, type EmulatorResponse, isLoopback } from '../http/context.js';
import { json, reply } from '../http/respond.js';
import type { OddDate } from '../options.js';
import { tfaCode } from '../security/index.js';
import type { EmulatorState } from '../state.js';

const ODD_KINDS = ['future', 'year-0001', 'year-9999', 'bad-offset'] as const;

export function control(state: EmulatorState, ctx: Ctx): EmulatorResponse {
  if (!isLoopback(ctx.req.remoteAddress)) return reply(ctx, 404, '');
  const send = (status: number, body: unknown) => json(ctx, status, body);
  const path = ctx.url.pathname.replace(/\/+$/, '');
  const method = ctx.req.method;
  const params = ctx.url.searchParams;
  if (path === '/__emulator/stats' && method === 'GET') return send(200, state.stats());
  if (path === '/__emulator/info' && method === 'GET') {
    const o = state.options;
    return send(200, {
      portalName: state.portalName,
      seed: o.seed,
      timezone: o.timezone,
      users: state.people.length,
      events: state.store.size,
      audit: state.audit,
      unpaid: state.unpaid,
      lifetimeDays: state.settings.loginHistoryLifeTime,
      now: new Date(state.now()).toISOString(),
    });
  }
  if (path === '/__emulator/reset-stats' && method === 'POST') {
    state.resetStats();
    return send(200, { ok: true });
  }
  if (path === '/__emulator/purge' && method === 'POST') {
    const before = params.get('before');
    let cut: number | undefined;
    if (before) {
      cut = Date.parse(before);
      if (Number.isNaN(cut)) return send(400, { error: `"before" is not an ISO date: ${before}` });
    }
    const purged = state.purge(cut);
    return send(200, { purged, events: state.store.size });
  }
  if (path === '/__emulator/events' && method === 'POST') {
    const count = Number(params.get('count') ?? '1');
    if (!Number.isInteger(count) || count < 0 || count > 1_000_000) {
      return send(400, { error: '"count" must be a whole number from 0 to 1000000' });
    }
    // `ago` (ms): the events land below the head, dated that long before now (a late arrival).
    const ago = Number(params.get('ago') ?? '0');
    if (!Number.isFinite(ago) || ago < 0) return send(400, { error: '"ago" must be milliseconds >= 0' });
    const ids = ago > 0 ? state.insertLateEvents(count, ago) : state.appendEvents(count);
    return send(200, { appended: ids.length, ids: ids.length <= 1000 ? ids : undefined, events: state.store.size });
  }
  if (path === '/__emulator/odd-date' && method === 'POST') {
    const kind = params.get('kind') as (typeof ODD_KINDS)[number];
    if (!ODD_KINDS.includes(kind)) return send(400, { error: `"kind" must be one of: ${ODD_KINDS.join(', ')}` });
    const hours = Number(params.get('hours') ?? '24');
    if (kind === 'future' && !(hours > 0)) return send(400, { error: '"hours" must be a positive number' });
    const odd: OddDate = kind === 'future' ? { kind, hours } : { kind };
    return send(200, state.appendOddDate(odd));
  }
  if (path === '/__emulator/scenarios' && method === 'GET') return send(200, state.scenarios);
  if (path === '/__emulator/clock' && method === 'POST') {
    const advance = Number(params.get('advance') ?? '0');
    if (!Number.isFinite(advance) || advance < 0) return send(400, { error: '"advance" must be milliseconds >= 0' });
    state.advanceClock(advance);
    return send(200, { now: new Date(state.now()).toISOString() });
  }
  if (path === '/__emulator/tfa-code' && method === 'GET') {
    const person = state.findPerson(params.get('user') ?? '');
    if (!person) return send(404, { error: 'no such member' });
    return send(200, { code: tfaCode(person.id, state.now()) });
  }
  return reply(ctx, 404, '');
}
