/**
 * Secrets never leave the process: every string that may reach a user, a log or a test
 * snapshot goes through a redactor that knows the secrets of this run. A server may echo a
 * secret back transformed (upper-cased, URL-encoded, base64 as in a Basic header, JSON-escaped),
 * so each secret is looked for in all those forms, case-insensitively, and anything shaped like
 * a DocSpace key is hidden even when we never knew it.
 */

/** A DocSpace API key in the clear, in any case; and the base64 of one (`c2st` is "sk-"). */
const KEY_PATTERNS = [/sk-[0-9a-f]{16,}/gi, /sk%2d[0-9a-f]{16,}/gi, /c2st[A-Za-z0-9+/_-]{20,}={0,2}/g];

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The forms in which a secret may come back. */
function variants(secret: string): string[] {
  const b64 = Buffer.from(secret, 'utf8').toString('base64');
  return [
    secret,
    encodeURIComponent(secret),
    JSON.stringify(secret).slice(1, -1),
    b64,
    b64.replace(/=+$/, ''),
    Buffer.from(secret, 'utf8').toString('base64url'),
  ];
}

export class Redactor {
  private readonly forms = new Set<string>();
  private pattern: RegExp | undefined;

  add(secret: string | undefined): void {
    if (!secret || secret.length < 4) return;
    for (const v of variants(secret)) this.forms.add(v);
    // Longest first, so a secret's base64 is replaced whole rather than around a shorter form.
    const sorted = [...this.forms].sort((a, b) => b.length - a.length).map(escape);
    this.pattern = new RegExp(sorted.join('|'), 'gi');
  }

  redact(text: string): string {
    let out = this.pattern ? text.replace(this.pattern, '[REDACTED]') : text;
    for (const p of KEY_PATTERNS) out = out.replace(p, 'sk-[REDACTED]');
    return out;
  }
}

/** A URL as it may be shown: no user info (query values we send are never secret). */
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
