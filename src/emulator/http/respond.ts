/**
 * Responses as the server writes them: the success envelope (with `fields` trimming), the
 * ValidationProblemDetails envelope, the JSON error envelope, empty bodies; and request bodies.
 */
import { randomBytes } from 'node:crypto';
import { STACKS } from '../dotnet.js';
import type { Ctx, EmulatorResponse } from './context.js';
import { EmulatorError } from './error.js';

export const JSON_TYPE = 'application/json; charset=utf-8';
const PROBLEM_TYPE = 'application/problem+json; charset=utf-8';

/** A response with the Server-Timing header every server response carries. */
export function reply(
  ctx: Ctx,
  status: number,
  body: string,
  contentType?: string,
  headers: Record<string, string> = {},
): EmulatorResponse {
  const h: Record<string, string> = {
    ...ctx.headers,
    ...headers,
    'server-timing': `aspnetcore-request-time;dur=${Math.max(0, Math.round(performance.now() - ctx.started))}`,
  };
  if (contentType) h['content-type'] = contentType;
  return { status, headers: h, body };
}

export function json(ctx: Ctx, status: number, value: unknown): EmulatorResponse {
  return reply(ctx, status, JSON.stringify(value), JSON_TYPE);
}

/** The `fields` parameter (`fields=id,date` or `fields[]=id&fields[]=date`), if given. */
export function fieldsOf(ctx: Ctx): string[] | undefined {
  const values = [...ctx.url.searchParams.entries()]
    .filter(([k]) => k.toLowerCase() === 'fields' || k.toLowerCase() === 'fields[]')
    .flatMap(([, v]) => v.split(','))
    .map((v) => v.trim())
    .filter(Boolean);
  return values.length ? values : undefined;
}

function trimFields(value: unknown, fields: string[]): unknown {
  const pick = (o: unknown) => {
    if (!o || typeof o !== 'object') return o;
    const out: Record<string, unknown> = {};
    for (const f of fields) if (f in (o as object)) out[f] = (o as Record<string, unknown>)[f];
    return out;
  };
  return Array.isArray(value) ? value.map(pick) : pick(value);
}

/** The `links` array: the full request URL and method. */
export function links(ctx: Ctx): Array<{ href: string; action: string }> {
  return [{ href: ctx.href, action: ctx.req.method }];
}

/** The success envelope. `response` null/undefined is omitted (count 0). */
export function envelope(ctx: Ctx, response: unknown, extra: { total?: number; count?: number } = {}): EmulatorResponse {
  const fields = fieldsOf(ctx);
  const payload = fields && response !== null && response !== undefined ? trimFields(response, fields) : response;
  const count =
    extra.count ?? (payload === null || payload === undefined ? 0 : Array.isArray(payload) ? payload.length : 1);
  const body: Record<string, unknown> = {};
  if (payload !== null && payload !== undefined) body.response = payload;
  body.count = count;
  if (extra.total !== undefined) body.total = extra.total;
  body.links = links(ctx);
  body.status = 0;
  body.statusCode = 200;
  return json(ctx, 200, body);
}

/** The response for anything thrown while handling a request. */
export function renderError(ctx: Ctx, err: unknown): EmulatorResponse {
  const e =
    err instanceof EmulatorError
      ? err
      : new EmulatorError(500, {
          exception: {
            message: (err as Error)?.message ?? 'Internal error',
            type: 'System.Exception',
            stack: STACKS.database,
            hresult: -2146233088,
          },
        });
  const { exception, validation, headers, drop } = e.init;
  if (drop) return { status: 0, headers: {}, body: '', drop: true };
  if (exception) {
    const body = JSON.stringify({ error: exception, status: 1, statusCode: e.status });
    return reply(ctx, e.status, body, JSON_TYPE, headers);
  }
  if (validation) {
    const traceId = `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;
    const problem = {
      type: 'https://tools.ietf.org/html/rfc9110#section-15.5.1',
      title: 'One or more validation errors occurred.',
      status: 400,
      errors: validation,
      traceId,
    };
    const body = { response: problem, count: 1, links: links(ctx), status: 1, statusCode: 400 };
    return reply(ctx, 400, JSON.stringify(body), PROBLEM_TYPE, headers);
  }
  return reply(ctx, e.status, '', undefined, headers);
}

/** The JSON body (`undefined` when empty), or not ok when it is not JSON or too large. */
export async function readJson(ctx: Ctx): Promise<{ ok: true; value: unknown } | { ok: false }> {
  const text = await ctx.req.text(1_000_000);
  if (text === undefined) return { ok: false };
  if (!text.trim()) return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}
