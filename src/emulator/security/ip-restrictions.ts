/**
 * The IP restrictions: an allow-list of single addresses, enforced on every authenticated
 * request except the owner's. Rows marked `forAdmin` only let admins through.
 */
import type { EmulatorPerson } from '../data/people.js';
import { parseIp } from '../geo.js';

export interface IpRestriction {
  id: number;
  tenantId: number;
  ip: string;
  forAdmin: boolean;
}

export class IpRestrictions {
  enable = false;
  lastModified?: number;
  rows: IpRestriction[] = [];
  private nextId = 1;

  /** PUT replaces the whole list. */
  replace(rows: Array<{ ip: string; forAdmin: boolean }>, enable: boolean | undefined, at: number): void {
    this.rows = rows.map((r) => ({ id: this.nextId++, tenantId: 1, ip: r.ip, forAdmin: r.forAdmin }));
    if (enable !== undefined) this.enable = enable;
    this.lastModified = at;
  }

  /** Does the list let this member in from this address? */
  allows(ip: string, person: EmulatorPerson, admin: boolean): boolean {
    if (!this.enable || this.rows.length === 0 || person.role === 'owner') return true;
    const caller = parseIp(ip);
    return this.rows.some((r) => {
      if (r.forAdmin && !admin) return false;
      const row = parseIp(r.ip);
      return caller !== undefined && row !== undefined && row.v6 === caller.v6 && row.value === caller.value;
    });
  }
}
