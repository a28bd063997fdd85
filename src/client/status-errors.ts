/**
 * Mapping HTTP outcomes and network failures to the library's errors. The status is
 * authoritative: DocSpace sends empty bodies on 401, 402, 403 (scope) and 429, JSON error
 * envelopes (with a .NET stack trace we never show) for exceptions inside actions, plain text for
 * IP restrictions, and HTML when the URL is not the API at all. Every text taken from the server
 * passes the client's redactor: a hostile or broken server may echo the key back.
 */
import {
  AuthenticationError,
  type DocSpaceLoginsError,
  NotDocSpaceError,
  PermissionError,
  RateLimitError,
  UnavailableError,
  UsageError,
} from '../errors/index.js';

export interface HttpOutcome {
  status: number;
  contentType: string;
  body: string;
  request: string;
  headers?: Record<string, string | string[] | undefined>;
}

type Redact = (text: string) => string;
const asIs: Redact = (s) => s;

export function looksLikeHtml(contentType: string, body: string): boolean {
  return contentType.includes('html') || /^\s*<(!doctype|html|head|body|\?xml)/i.test(body);
}

/** The server's own error message from a JSON error envelope or validation problem, trimmed. */
export function serverMessage(body: string): string | undefined {
  if (!body.trim().startsWith('{')) return undefined;
  try {
    const parsed = JSON.parse(body) as {
      error?: { message?: unknown };
      response?: { title?: unknown; errors?: Record<string, unknown> };
    };
    const problem = parsed.response;
    if (problem && typeof problem === 'object' && problem.errors && typeof problem.errors === 'object') {
      const parts = Object.entries(problem.errors).map(
        ([k, v]) => `${k}: ${Array.isArray(v) ? v.join(' ') : String(v)}`,
      );
      if (parts.length) return oneLine(parts.join('; '));
    }
    if (typeof parsed.error?.message === 'string') return oneLine(parsed.error.message);
    if (typeof problem?.title === 'string') return oneLine(problem.title);
  } catch {
    return undefined;
  }
  return undefined;
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

function header(o: HttpOutcome, name: string): string | undefined {
  const v = o.headers?.[name];
  return Array.isArray(v) ? v[0] : v;
}

/** The error for a non-2xx outcome (after retries, for retryable statuses). */
export function errorForStatus(o: HttpOutcome, portal: string, redact: Redact = asIs): DocSpaceLoginsError {
  const said = serverMessage(o.body);
  const details = { request: o.request, status: o.status, serverMessage: said && redact(said) };
  const saidText = details.serverMessage ? ` (${details.serverMessage})` : '';
  switch (o.status) {
    case 400:
      return new UsageError(`The portal rejected the request as invalid${saidText}`, details);
    case 401:
      return new AuthenticationError(
        `${portal} refused the credentials (401): check that DOCSPACE_API_KEY holds an active, unexpired key for this portal`,
        details,
      );
    case 402:
      return new PermissionError(
        `${portal} answered 402 Payment Required: the portal is unpaid or its plan lacks this feature`,
        { ...details, reason: 'plan' },
      );
    case 403: {
      let hint: string;
      if (!o.body.trim()) {
        hint = 'the API key lacks the *:read scope (or the portal is busy restoring or transferring)';
      } else if (details.serverMessage) {
        hint = `the key's owner must be a DocSpace admin or the owner${saidText}`;
      } else {
        hint = 'the portal refused this IP address (IP security settings)';
      }
      return new PermissionError(`${portal} answered 403 Forbidden: ${hint}`, details);
    }
    case 404:
      return new NotDocSpaceError(
        `No DocSpace API at ${portal} (404 for ${o.request}): check --portal / DOCSPACE_URL`,
        details,
      );
    case 429:
      return new RateLimitError({ portal }, details);
    default:
      if (o.status >= 300 && o.status < 400) {
        // Never followed: a redirect could carry the Authorization header to another host.
        const location = header(o, 'location');
        const where = location ? redact(location) : 'no Location';
        return new NotDocSpaceError(
          `${portal} redirects (${o.status}) to ${where}: pass the portal's final address as --portal`,
          { ...details, location: location && redact(location) },
        );
      }
      if (o.status >= 500) {
        return new UnavailableError(
          `${portal} failed with ${o.status} after several retries: try again later`,
          details,
        );
      }
      return new NotDocSpaceError(
        `Unexpected ${o.status} from ${portal} for ${o.request}: is this a DocSpace portal?`,
        details,
      );
  }
}

/** A network-level failure: whether another try may help, and the error if none does. */
export interface NetworkFailure {
  retry: boolean;
  error: DocSpaceLoginsError;
}

/** Network-level failures: which ones are worth another try, and the message for the last one. */
export function networkError(err: unknown, portal: string, request: string, timeoutMs: number): NetworkFailure {
  const e = err as { code?: string; message?: string; cause?: { code?: string }; limit?: number };
  const code = e.code ?? e.cause?.code ?? '';
  const details = { request, code };
  const fail = (retry: boolean, message: string) =>
    ({ retry, error: new UnavailableError(message, details, { cause: err }) }) satisfies NetworkFailure;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return fail(code === 'EAI_AGAIN', `Cannot resolve the host of ${portal}: check --portal / DOCSPACE_URL`);
  }
  // OpenSSL reads an http server's "HTTP/1.1 400" as a TLS record of a wrong version.
  if (code === 'ERR_SSL_WRONG_VERSION_NUMBER' || /wrong version number|packet length too long/i.test(e.message ?? '')) {
    return fail(false, `TLS handshake failed: is it ${portal.replace(/^https:/, 'http:')}? (${portal} answers in plain http)`);
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
    return fail(false, `TLS certificate of ${portal} is not trusted (${code}): pass --ca-file with your CA bundle`);
  }
  if (code === 'ERESPONSETOOLARGE') {
    const mb = Math.round((e.limit ?? 0) / 1_048_576);
    return fail(false, `${portal} sent a response larger than ${mb} MB for ${request}, far beyond any real page: refused`);
  }
  if (code === 'ECUTOFF') {
    return fail(true, `${portal} closed the connection mid-response: try again later`);
  }
  if (/TIME(D)?OUT/i.test(code)) {
    return fail(true, `${portal} did not answer within ${Math.round(timeoutMs / 1000)} s: try again later or raise --timeout`);
  }
  if (code === 'ECONNREFUSED') {
    return fail(true, `Connection to ${portal} was refused: check --portal / DOCSPACE_URL and that the portal is up`);
  }
  return fail(true, `Network error talking to ${portal}${code ? ` (${code})` : ''}: try again later`);
}
