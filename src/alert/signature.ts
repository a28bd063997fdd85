/**
 * Webhook signatures, two ways at once: Standard Webhooks (`webhook-id`, `webhook-timestamp`,
 * `webhook-signature: v1,<base64>`) and the GitHub/DocSpace style hex digest of the body, so
 * receivers written for DocSpace's own webhooks verify our alerts unchanged.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors/index.js';
import type { SecretSource } from './destination.js';

export const SIGNATURE_HEADER = 'X-DocSpace-Logins-Signature-256';

const GENERATE_HINT =
  "make one with: node -e \"console.log('whsec_' + require('crypto').randomBytes(32).toString('base64'))\"";

/** A checked webhook secret: the text as configured, and the HMAC key Standard Webhooks derives from it. */
export interface WebhookSecret {
  text: string;
  key: Buffer;
}

/**
 * Standard Webhooks secrets are `whsec_` + base64 of 24 to 64 random bytes; anything else is a
 * configuration mistake we name now rather than a signature every receiver rejects later.
 */
export function parseSecret(text: string, where: string): WebhookSecret {
  const trimmed = text.trim();
  if (!trimmed) throw new UsageError(`The webhook secret in ${where} is empty; ${GENERATE_HINT}`);
  if (!trimmed.startsWith('whsec_')) throw new UsageError(`The webhook secret in ${where} must start with whsec_; ${GENERATE_HINT}`);
  const body = trimmed.slice('whsec_'.length);
  const key = Buffer.from(body, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(body) || key.length < 24 || key.length > 64) {
    throw new UsageError(`The webhook secret in ${where} is not base64 of 24 to 64 bytes; ${GENERATE_HINT}`);
  }
  return { text: trimmed, key };
}

export interface SecretLookup {
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
}

/** Load a destination's secret from its environment variable or file. */
export function loadSecret(source: SecretSource, lookup: SecretLookup = {}): WebhookSecret {
  if ('env' in source) {
    const value = (lookup.env ?? process.env)[source.env];
    if (value === undefined) throw new UsageError(`Webhook destinations sign their alerts: set ${source.env}; ${GENERATE_HINT}`);
    return parseSecret(value, `$${source.env}`);
  }
  let text: string;
  try {
    text = (lookup.readFile ?? ((p) => readFileSync(p, 'utf8')))(source.file);
  } catch (err) {
    throw new UsageError(`Cannot read the webhook secret file ${source.file}: ${(err as Error).message}`, {}, { cause: err });
  }
  return parseSecret(text, source.file);
}

/** The headers that sign `body` for delivery `id` sent at `timestampMs`. */
export function signatureHeaders(secret: WebhookSecret, id: string, timestampMs: number, body: string): Record<string, string> {
  const timestamp = String(Math.floor(timestampMs / 1000));
  const v1 = createHmac('sha256', secret.key).update(`${id}.${timestamp}.${body}`).digest('base64');
  // DocSpace and GitHub receivers key their HMAC with the secret exactly as configured.
  const hex = createHmac('sha256', secret.text).update(body).digest('hex');
  return {
    'webhook-id': id,
    'webhook-timestamp': timestamp,
    'webhook-signature': `v1,${v1}`,
    [SIGNATURE_HEADER]: `sha256=${hex}`,
  };
}
