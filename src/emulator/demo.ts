/** The built-in demo portal's credentials (`--demo`) and the API key every seed derives. */
import { createHash } from 'node:crypto';

/** Credentials of the built-in demo portal (`--demo`). */
export const DEMO = Object.freeze({
  portalName: 'demo',
  /** The seed `--demo` uses; its history carries the labelled attack scenarios. */
  seed: 20251,
  domain: 'demo.docspace.test',
  email: 'admin@demo.docspace.test',
  password: 'demo-password',
});

export const DEMO_EMAIL = DEMO.email;
export const DEMO_PASSWORD = DEMO.password;

/** The deterministic API key for a seed: `sk-` + 64 lowercase hex digits. */
export function apiKeyForSeed(seed: number): string {
  return `sk-${createHash('sha256').update(`docspace-emulator-api-key:${seed}`).digest('hex')}`;
}
