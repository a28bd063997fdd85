/**
 * How ASP.NET and the server's code fail, reproduced: GUID, Int32, enum and ApiDateTime binding,
 * the validation messages they produce, and the exceptions (with .NET stack traces) that end up
 * in the JSON error envelope.
 */
import { ACTIONS } from '../model/actions.js';
import { EMPTY_GUID } from '../model/ids.js';
import { parseUtcOffset } from '../model/time.js';
import { EmulatorError } from './http/error.js';

const GUID_FORMS = [
  /^([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})$/i,
  /^\{([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}$/i,
  /^\(([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\)$/i,
  /^([0-9a-f]{8})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{4})([0-9a-f]{12})$/i,
];


/** .NET Guid.Parse forms D, B, P and N; returns the D form in lower case. */
export function parseGuid(value: string): string | undefined {
  for (const re of GUID_FORMS) {
    const m = re.exec(value.trim());
    if (m) return m.slice(1).join('-').toLowerCase();
  }
  return undefined;
}

/** The server's ApiDateTime query parsing. */
export function parseQueryDate(value: string): { time: number } | { error: 'format' | 'zone' } {
  const m =
    /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2})([:-])(\d{2})\5(\d{2})(?:\.(\d{3}|\d{7}))?(Z|[+-]\d{2}:\d{2})?)?$/.exec(
      value,
    );
  if (!m) return { error: 'format' };
  const [, y, mo, d, h, , mi, s, frac = '', zone] = m;
  // Date-only or no zone: the server looks up the tenant's zone through a null TenantManager.
  if (h === undefined || zone === undefined) return { error: 'zone' };
  const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number((frac + '000').slice(0, 3)));
  const check = new Date(local);
  if (
    Number.isNaN(local) ||
    check.getUTCDate() !== +d ||
    check.getUTCMonth() !== +mo - 1 ||
    +h > 23 ||
    +mi > 59 ||
    +s > 59
  ) {
    return { error: 'format' };
  }
  const offset = parseUtcOffset(zone);
  if (offset === undefined || Math.abs(offset) >= 15 * 60) return { error: 'format' };
  return { time: local - offset * 60_000 };
}

/** .NET Int32 parsing: optional whitespace and sign; undefined when invalid or out of range. */
export function parseInt32(value: string): number | undefined {
  if (!/^\s*[+-]?\d+\s*$/.test(value)) return undefined;
  const n = Number(value.trim());
  return n >= -2147483648 && n <= 2147483647 ? n : undefined;
}

const VALID_ACTIONS = new Map<string, number>([
  ['none', -1],
  ...[...ACTIONS.values()].map((a) => [a.name.toLowerCase(), a.code] as [string, number]),
]);

/** MessageAction binding: a name (any case) or a number that is a defined member. */
export function parseAction(value: string): number | undefined {
  const named = VALID_ACTIONS.get(value.trim().toLowerCase());
  if (named !== undefined) return named;
  const n = parseInt32(value);
  if (n === undefined) return undefined;
  // Codes below 2000 are the login catalogue; 2000 and above are audit-trail members of the same
  // enum (we accept the whole range: they are defined there, and simply never match here).
  if (n === -1 || n === 0 || ACTIONS.has(n) || (n >= 2000 && n < 10_000)) return n;
  return undefined;
}

/**
 * Model-binding errors of one request, keyed by the query parameter as sent; the messages name
 * the DTO property the way ASP.NET does (`StartIndex`, `UserId`).
 */
export class ModelErrors {
  readonly errors: Record<string, string[]> = {};

  add(key: string, message: string): void {
    this.errors[key] = [...(this.errors[key] ?? []), message];
  }

  has(key: string): boolean {
    return key in this.errors;
  }

  /** The binder's message for a value it cannot convert to the property's type. */
  invalid(key: string, value: string): void {
    const property = key[0].toUpperCase() + key.slice(1);
    this.add(key, value.trim() ? `The value '${value}' is not valid for ${property}.` : `The value '${value}' is invalid.`);
  }

  /** `[Range]` on an int property. */
  range(key: string, min: number, max: number): void {
    this.add(key, `The field ${key[0].toUpperCase() + key.slice(1)} must be between ${min} and ${max}.`);
  }

  /** A 400 with the ValidationProblemDetails, when anything failed. */
  throwIfAny(): void {
    if (Object.keys(this.errors).length) throw new EmulatorError(400, { validation: this.errors });
  }

  /** An Int32 query parameter: `fallback` when absent, an error when unparsable. */
  int(query: Map<string, string>, key: string, fallback: number): number {
    const raw = query.get(key.toLowerCase());
    if (raw === undefined) return fallback;
    const n = parseInt32(raw);
    if (n === undefined) {
      this.invalid(key, raw);
      return fallback;
    }
    return n;
  }
}

/** The query of an audit list, bound: what both audit controllers (login and actions) take. */
export interface AuditQuery {
  count: number;
  startIndex: number;
  /** The GUID asked for; undefined for none or the empty GUID. */
  userId?: string;
  action?: number;
  from?: number;
  to?: number;
}

/**
 * `count` (1..100, default 100), `startIndex`, `userId`, `action`, `from`, `to`, bound as ASP.NET
 * binds the two audit request DTOs; conversion failures are collected in `errors`.
 */
export function bindAuditQuery(q: Map<string, string>, errors: ModelErrors): AuditQuery {
  const count = errors.int(q, 'count', 100);
  if (!errors.has('count') && (count < 1 || count > 100)) errors.range('count', 1, 100);
  const out: AuditQuery = { count, startIndex: errors.int(q, 'startIndex', 0) };
  const rawUser = q.get('userid');
  if (rawUser !== undefined) {
    const guid = parseGuid(rawUser);
    if (guid === undefined) errors.invalid('userId', rawUser);
    else if (guid !== EMPTY_GUID) out.userId = guid;
  }
  const rawAction = q.get('action');
  if (rawAction !== undefined) {
    const a = parseAction(rawAction);
    if (a === undefined) errors.invalid('action', rawAction);
    else if (a !== 0 && a !== -1) out.action = a;
  }
  for (const key of ['from', 'to'] as const) {
    const raw = q.get(key);
    // ApiDateTime is a class: an empty value binds to null, i.e. no bound.
    if (raw === undefined || raw === '') continue;
    const parsed = parseQueryDate(raw);
    if (!('error' in parsed)) out[key] = parsed.time;
    else if (parsed.error === 'format') errors.invalid(key, raw);
    else errors.add(key, 'The input was not valid.');
  }
  return out;
}

export const STACKS = {
  authorizing: [
    '   at ASC.Core.Security.Authorizing.PermissionResolver.DemandAsync(IAccount account, ISecurityObjectId objectId, ISecurityObjectProvider securityObjProvider, IAction[] actions) in /app/onlyoffice/src/server/common/ASC.Core.Common/Security/Authorizing/PermissionResolver.cs:line 63',
    '   at ASC.Core.PermissionContext.DemandPermissionsAsync(IAction[] actions) in /app/onlyoffice/src/server/common/ASC.Core.Common/Context/PermissionContext.cs:line 49',
    '   at ASC.Web.Api.Controllers.SecurityController.{method}() in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line {line}',
    '   at lambda_method1204(Closure, Object)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ControllerActionInvoker.<InvokeActionMethodAsync>g__Awaited|12_0(ControllerActionInvoker invoker, ValueTask`1 actionResultValueTask)',
  ].join('\r\n'),
  notFound: [
    '   at ASC.People.Api.UserController.GetByIdAsync(String userid) in /app/onlyoffice/src/server/products/ASC.People/Server/Api/UserController.cs:line 1108',
    '   at lambda_method2311(Closure, Object)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)',
  ].join('\r\n'),
  argument: [
    '   at ASC.Web.Api.Controllers.SecurityController.SetAuditSettingsAsync(TenantAuditSettingsWrapper wrapper) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line 241',
    '   at lambda_method1877(Closure, Object)',
    '   at Microsoft.AspNetCore.Mvc.Infrastructure.ActionMethodExecutor.AwaitableObjectResultExecutor.Execute(ActionContext actionContext, IActionResultTypeMapper mapper, ObjectMethodExecutor executor, Object controller, Object[] arguments)',
  ].join('\r\n'),
  billing: [
    '   at ASC.Web.Api.Controllers.SecurityController.DemandAuditPermissionAsync() in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line 288',
    '   at ASC.Web.Api.Controllers.SecurityController.SetAuditSettingsAsync(TenantAuditSettingsWrapper wrapper) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/SecurityController.cs:line 236',
  ].join('\r\n'),
  invalidOperation: [
    '   at ASC.Web.Api.Controllers.AuthenticationController.AuthenticateMeAsync(AuthRequestsDto inDto) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/AuthenticationController.cs:line 214',
  ].join('\r\n'),
  database: [
    '   at MySqlConnector.Core.ServerSession.ConnectAsync(ConnectionSettings cs, MySqlConnection connection, Int64 startingTimestamp, ILoadBalancer loadBalancer, Activity activity, IOBehavior ioBehavior, CancellationToken cancellationToken) in /_/src/MySqlConnector/Core/ServerSession.cs:line 433',
    '   at MySqlConnector.MySqlConnection.CreateSessionAsync(ConnectionPool pool, Int64 startingTimestamp, Activity activity, Nullable`1 ioBehavior, CancellationToken cancellationToken) in /_/src/MySqlConnector/MySqlConnection.cs:line 1092',
    '   at Microsoft.EntityFrameworkCore.Storage.RelationalConnection.OpenInternalAsync(Boolean errorsExpected, CancellationToken cancellationToken)',
    '   at ASC.AuditTrail.Repositories.LoginEventsRepository.GetByFilterAsync(Nullable`1 login, Nullable`1 action, Nullable`1 fromDate, Nullable`1 to, Int32 startIndex, Int32 limit, Boolean limitedActionText) in /app/onlyoffice/src/server/common/services/ASC.AuditTrail/Repositories/LoginEventsRepository.cs:line 87',
  ].join('\r\n'),
};


/** .NET HRESULTs of the exceptions the emulator throws. */
const HRESULT = {
  exception: -2146233088,
  security: -2146233078,
  argument: -2147024809,
  invalidOperation: -2146233079,
  mysql: -2147467259,
};

/** `AuthorizingException` from `DemandPermissionsAsync` in a SecurityController action. */
export function accessDenied(method: string, line: number): EmulatorError {
  const stack = STACKS.authorizing.replace('{method}', method).replace('{line}', String(line));
  return dotnetError(403, 'Access denied', 'ASC.Common.Security.Authorizing.AuthorizingException', stack);
}

/** The people lists refuse members of type User or Guest (a SecurityException). */
export function peopleDenied(method: string): EmulatorError {
  const stack = `   at ASC.People.Api.UserController.${method}() in /app/onlyoffice/src/server/products/ASC.People/Server/Api/UserController.cs:line 2590`;
  return dotnetError(403, 'Access denied', 'System.Security.SecurityException', stack, HRESULT.security);
}

/** `ItemNotFoundException` from the people controller. */
export function userNotFound(): EmulatorError {
  // Type name chosen by us; the server's ItemNotFoundException lives in ASC's common library.
  return dotnetError(404, 'The user could not be found', 'ASC.Common.Web.ItemNotFoundException', STACKS.notFound);
}

export function argumentError(message: string): EmulatorError {
  return dotnetError(400, message, 'System.ArgumentException', STACKS.argument, HRESULT.argument);
}

export function billingError(): EmulatorError {
  return dotnetError(402, 'Your pricing plan does not support this option', 'ASC.Core.Billing.BillingException', STACKS.billing);
}

export function userDisabled(): EmulatorError {
  return dotnetError(403, 'The user is disabled', 'System.InvalidOperationException', STACKS.invalidOperation, HRESULT.invalidOperation);
}

/** The code step of a login for a member without a second factor (a SecurityException). */
export function authCodeUnavailable(): EmulatorError {
  const stack = '   at ASC.Web.Api.Controllers.AuthenticationController.AuthenticateMeFromBodyWithCode(AuthRequestsDto inDto) in /app/onlyoffice/src/server/web/ASC.Web.Api/Api/AuthenticationController.cs:line 171';
  return dotnetError(403, 'Access denied', 'System.Security.SecurityException', stack, HRESULT.security);
}

/** What an unreachable database looks like from outside. */
export function databaseError(message = 'Connect Timeout expired. All pooled connections are in use.'): EmulatorError {
  return dotnetError(500, message, 'MySqlConnector.MySqlException', STACKS.database, HRESULT.mysql);
}

/** Exceptions the server renders without a type or stack (authentication, brute force). */
export function plainError(status: number, message: string): EmulatorError {
  return new EmulatorError(status, { exception: { message, type: null, stack: null, hresult: 0 } });
}

function dotnetError(status: number, message: string, type: string, stack: string, hresult = HRESULT.exception) {
  return new EmulatorError(status, { exception: { message, type, stack, hresult } });
}
