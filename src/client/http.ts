/**
 * Mapping HTTP outcomes to the library's errors. The status is authoritative: DocSpace sends
 * empty bodies on 401, 402, 403 (scope) and 429, JSON error envelopes (with a .NET stack trace we
 * never show) for exceptions inside actions, plain text for IP restrictions, and HTML when the
 * URL is not the API at all.
 */
import {
  AuthenticationError,
  type DocSpaceLoginsError,
  NotDocSpaceError,
  PermissionError,
  RateLimitError,
  UnavailableError,
  UsageError,
} from './errors.js';

export interface HttpOutcome {
  status: number;
  contentType: string;
  body: string;
  request: string;
}

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

/** The error for a non-2xx outcome (after retries, for retryable statuses). */
export function errorForStatus(o: HttpOutcome, portal: string): DocSpaceLoginsError {
  const details = { request: o.request, status: o.status, serverMessage: serverMessage(o.body) };
  const said = details.serverMessage ? ` (${details.serverMessage})` : '';
  switch (o.status) {
    case 400:
      return new UsageError(`The portal rejected the request as invalid${said}`, details);
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
        hint = `the key's owner must be a DocSpace admin or the owner${said}`;
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
      return new RateLimitError(
        `${portal} is rate-limiting requests (429) and retries ran out: try again later or lower --concurrency`,
        undefined,
        details,
      );
    default:
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

/** Network-level failures: which ones are worth another try, and the message for the last one. */
export function networkError(err: unknown, portal: string, request: string, timeoutMs: number) {
  const e = err as { code?: string; message?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code ?? '';
  const details = { request, code };
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return {
      retry: code === 'EAI_AGAIN',
      error: new UnavailableError(
        `Cannot resolve the host of ${portal}: check --portal / DOCSPACE_URL`,
        details,
        { cause: err },
      ),
    };
  }
  if (/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i.test(code)) {
    return {
      retry: false,
      error: new UnavailableError(
        `TLS certificate of ${portal} is not trusted (${code}): pass --ca-file with your CA bundle`,
        details,
        { cause: err },
      ),
    };
  }
  if (/TIME(D)?OUT/i.test(code) || e.message?.includes('aborted')) {
    return {
      retry: true,
      error: new UnavailableError(
        `${portal} did not answer within ${Math.round(timeoutMs / 1000)} s: try again later or raise --timeout`,
        details,
        { cause: err },
      ),
    };
  }
  if (code === 'ECONNREFUSED') {
    return {
      retry: true,
      error: new UnavailableError(
        `Connection to ${portal} was refused: check --portal / DOCSPACE_URL and that the portal is up`,
        details,
        { cause: err },
      ),
    };
  }
  return {
    retry: true,
    error: new UnavailableError(
      `Network error talking to ${portal}${code ? ` (${code})` : ''}: try again later`,
      details,
      { cause: err },
    ),
  };
}
