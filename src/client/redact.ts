/**
 * Secrets never leave the process: every string that may reach a user, a log or a test
 * snapshot goes through a redactor that knows the secrets of this run.
 */

const KEY_PATTERN = /sk-[0-9a-f]{16,}/gi;

export class Redactor {
  private readonly secrets = new Set<string>();

  add(secret: string | undefined): void {
    if (secret && secret.length >= 4) this.secrets.add(secret);
  }

  redact(text: string): string {
    let out = text;
    for (const s of this.secrets) out = out.split(s).join('[REDACTED]');
    return out.replace(KEY_PATTERN, 'sk-[REDACTED]');
  }
}

/** A URL as it may be shown: no user info, no query values that look secret. */
export function safeUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return '[invalid URL]';
  }
}
