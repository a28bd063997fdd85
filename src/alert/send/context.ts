/** What every sender may need from outside: the clock and the means to reach the world, injectable for tests. */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors/index.js';
import type { Alert, DeliveryResult } from '../types.js';

export interface SenderContext {
  /** Epoch ms; signs webhook timestamps and stamps syslog headers. */
  now?: () => number;
  fetch?: typeof globalThis.fetch;
  env?: NodeJS.ProcessEnv;
  readFile?: (path: string) => string;
  /** HOSTNAME of syslog messages. */
  hostname?: string;
  /** Our version, for CEF headers. */
  version?: string;
  /** Give up on one send after this long (default 15 s, the Standard Webhooks recommendation). */
  timeoutMs?: number;
}

export interface Sender {
  readonly key: string;
  readonly label: string;
  readonly minIntervalMs: number;
  send(alert: Alert): Promise<DeliveryResult>;
  /** Release sockets and transports. */
  close(): Promise<void>;
}

export const DEFAULT_TIMEOUT_MS = 15_000;

export function errorText(err: unknown): string {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const inner = e.cause?.code ?? e.cause?.message;
  return [e.code, e.message, inner].filter(Boolean).join(': ') || String(err);
}

/** A destination's private CA bundle, read once when its sender is built: a missing file fails at start-up. */
export function readCaFile(dest: { caFile?: string; label: string }): Buffer | undefined {
  if (!dest.caFile) return undefined;
  try {
    return readFileSync(dest.caFile);
  } catch (err) {
    throw new UsageError(`Cannot read the CA file ${dest.caFile} of ${dest.label}: ${(err as Error).message}`);
  }
}
