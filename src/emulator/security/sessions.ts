/**
 * Session tokens. A token names one login event and the user's cookie index at issue: it dies
 * when that row goes inactive (logout, purge) or when the index is bumped ("log out everywhere",
 * disabling the user), as the server's cookie checks do.
 */
import { randomBytes } from 'node:crypto';
import type { EmulatorPerson } from '../data/people.js';

export interface Session {
  person: EmulatorPerson;
  /** The login event the session is; 0 when none was written (a login from a blocked address). */
  eventId: number;
  expires: number;
  /** The user's cookie index when the token was issued. */
  cookieIndex: number;
}

export class Sessions {
  private readonly tokens = new Map<string, Session>();
  private readonly cookieIndex = new Map<string, number>();

  /** Issue a token for a new session. */
  issue(person: EmulatorPerson, eventId: number, expires: number): { token: string; session: Session } {
    const token = randomBytes(36).toString('base64url');
    const session = { person, eventId, expires, cookieIndex: this.indexOf(person) };
    this.tokens.set(token, session);
    return { token, session };
  }

  get(token: string): Session | undefined {
    return this.tokens.get(token);
  }

  forget(token: string): void {
    this.tokens.delete(token);
  }

  indexOf(person: EmulatorPerson): number {
    return this.cookieIndex.get(person.id) ?? 0;
  }

  /** ResetUserCookie: every token issued to the user so far stops working. */
  resetUser(person: EmulatorPerson): void {
    this.cookieIndex.set(person.id, this.indexOf(person) + 1);
  }
}
