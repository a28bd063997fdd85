/**
 * The login settings (`settings/security/loginSettings`) and the brute-force guard they drive:
 * attempts are counted per typed login and client address, so a spray from one address over
 * many logins, or many addresses against one login, never trips it.
 */

export interface LoginSettings {
  attemptCount: number;
  /** Seconds a (login, address) pair stays blocked. */
  blockTime: number;
  /** Seconds over which attempts are counted. */
  checkPeriod: number;
}

export const DEFAULT_LOGIN_SETTINGS: Readonly<LoginSettings> = Object.freeze({
  attemptCount: 5,
  blockTime: 60,
  checkPeriod: 60,
});

export class BruteForceGuard {
  settings: LoginSettings = { ...DEFAULT_LOGIN_SETTINGS };
  private readonly history = new Map<string, number[]>();
  private readonly blockedUntil = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  get isDefault(): boolean {
    const s = this.settings;
    const d = DEFAULT_LOGIN_SETTINGS;
    return s.attemptCount === d.attemptCount && s.blockTime === d.blockTime && s.checkPeriod === d.checkPeriod;
  }

  private key(login: string, ip: string): string {
    return `${login.trim().toLowerCase()}|${ip}`;
  }

  /**
   * Count an attempt before the credentials are checked. False when the pair is blocked: the
   * attempt after `attemptCount` within the check period starts a block of `blockTime`, and
   * the history starts afresh once it ends.
   */
  attempt(login: string, ip: string): boolean {
    const key = this.key(login, ip);
    const now = this.now();
    const until = this.blockedUntil.get(key);
    if (until !== undefined) {
      if (now < until) return false;
      this.blockedUntil.delete(key);
    }
    const since = now - this.settings.checkPeriod * 1000;
    const recent = (this.history.get(key) ?? []).filter((t) => t > since);
    recent.push(now);
    if (recent.length > this.settings.attemptCount) {
      this.history.delete(key);
      this.blockedUntil.set(key, now + this.settings.blockTime * 1000);
      return false;
    }
    this.history.set(key, recent);
    return true;
  }

  /** A right password takes its own attempt back, so a user who gets in is not counted. */
  succeeded(login: string, ip: string): void {
    this.history.get(this.key(login, ip))?.pop();
  }
}
