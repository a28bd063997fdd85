/**
 * Reading a DocSpace answer body: the `{response, total}` envelope every endpoint wraps its data in,
 * checked once, and the `response` validated against the endpoint's schema. Anything that is not
 * such an envelope (an HTML page, other JSON) means the URL is not the DocSpace API.
 */
import type { output } from 'zod/v4/core';
import type { ZodMiniType } from './zod.js';
import { NotDocSpaceError, ResponseShapeError } from '../errors/index.js';
import { describeIssue, envelopeSchema } from './schemas.js';
import { looksLikeHtml } from './status-errors.js';

/** What an answered request leaves for parsing: its body, content type, and the request as text. */
export interface AnswerBody {
  contentType: string;
  body: string;
  request: string;
}

/** The envelope's `response` and, for lists that have one, its `total`; the body is parsed once. */
export function readEnvelope(
  portal: string,
  outcome: AnswerBody,
  mayOmitResponse = false,
): {
  response: unknown;
  total?: number;
} {
  const { body, contentType, request: req } = outcome;
  if (looksLikeHtml(contentType, body)) {
    throw new NotDocSpaceError(
      `${portal} answered with an HTML page, not the DocSpace API: check --portal / DOCSPACE_URL`,
      { request: req },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw new NotDocSpaceError(`${portal} answered with something that is not JSON: check --portal / DOCSPACE_URL`, {
      request: req,
    });
  }
  const env = envelopeSchema.safeParse(json);
  if (!env.success || (!mayOmitResponse && !('response' in (json as object)))) {
    throw new NotDocSpaceError(
      `${portal} answered JSON without the DocSpace envelope ("response"): check --portal / DOCSPACE_URL`,
      { request: req },
    );
  }
  return { response: env.data.response, total: env.data.total };
}

/** Check the body is a DocSpace envelope and return its validated `response`. */
export function unwrapEnvelope<S extends ZodMiniType>(portal: string, outcome: AnswerBody, schema: S): output<S> {
  // A schema that accepts undefined also accepts an envelope without `response` (a null answer).
  const payload = readEnvelope(portal, outcome, schema.safeParse(undefined).success).response;
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new ResponseShapeError(
      `Unexpected response from ${portal} for ${outcome.request}: ${describeIssue(parsed.error)}`,
      { request: outcome.request },
    );
  }
  return parsed.data;
}
