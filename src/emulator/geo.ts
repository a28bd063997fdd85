/**
 * Where a client address is, as the portal's geolocation table would say: ranges from a CSV
 * (`cidr,country,city`, most specific range wins), else the emulator's own invented mapping.
 * Country is an English name, the way DocSpace writes it; unknown is `""`.
 */
import { readFileSync } from 'node:fs';

export interface GeoRange {
  /** `203.0.113.0/24`, `2001:db8::/32`, or a single address (a /32 or /128). */
  cidr: string;
  country: string;
  city: string;
}

export interface GeoPlace {
  country: string;
  city: string;
}

interface ParsedRange {
  v6: boolean;
  network: bigint;
  bits: number;
  place: GeoPlace;
}

/** An address as a number and its family; IPv4-mapped IPv6 (`::ffff:1.2.3.4`) counts as IPv4. */
export function parseIp(text: string): { v6: boolean; value: bigint } | undefined {
  const ip = text.trim().replace(/^\[|\]$/g, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return parseIp(mapped[1]);
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (v4) {
    const parts = v4.slice(1).map(Number);
    if (parts.some((p) => p > 255)) return undefined;
    return { v6: false, value: parts.reduce((acc, p) => (acc << 8n) | BigInt(p), 0n) };
  }
  if (!ip.includes(':') || !/^[0-9a-f:.]+$/i.test(ip)) return undefined;
  const halves = ip.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s ? s.split(':') : []);
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  // An embedded IPv4 tail (`64:ff9b::192.0.2.1`) counts as two groups.
  const last = tail.length ? tail : head;
  if (last.length && last[last.length - 1].includes('.')) {
    const v4tail = parseIp(last.pop()!);
    if (!v4tail || v4tail.v6) return undefined;
    last.push((v4tail.value >> 16n).toString(16), (v4tail.value & 0xffffn).toString(16));
  }
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  let value = 0n;
  for (const g of all) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    value = (value << 16n) | BigInt(Number.parseInt(g, 16));
  }
  return { v6: true, value };
}

function parseRange(r: GeoRange): ParsedRange {
  const [address, prefix] = r.cidr.trim().split('/');
  const ip = parseIp(address);
  if (!ip) throw new RangeError(`not an IP range: "${r.cidr}"`);
  const width = ip.v6 ? 128 : 32;
  const bits = prefix === undefined ? width : Number(prefix);
  if (!Number.isInteger(bits) || bits < 0 || bits > width || !/^\d*$/.test(prefix ?? '')) {
    throw new RangeError(`bad prefix length in "${r.cidr}"`);
  }
  const shift = BigInt(width - bits);
  return { v6: ip.v6, network: (ip.value >> shift) << shift, bits, place: { country: r.country, city: r.city } };
}

/** One CSV field list, with `"quoted, fields"` allowed. */
function splitCsv(line: string): string[] {
  const out: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') field += line[++i];
      else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      out.push(field);
      field = '';
    } else field += ch;
  }
  out.push(field);
  return out.map((f) => f.trim());
}

/** Parse the CSV text; blank lines, `#` comments and a `cidr,…` header are skipped. */
export function parseGeoCsv(text: string, source = 'geo file'): GeoRange[] {
  const ranges: GeoRange[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [cidr, country = '', city = ''] = splitCsv(line);
    if (i === 0 && cidr.toLowerCase() === 'cidr') return;
    const range = { cidr, country, city };
    try {
      parseRange(range);
    } catch (err) {
      throw new RangeError(`${source}, line ${i + 1}: ${(err as Error).message}`);
    }
    ranges.push(range);
  });
  return ranges;
}

export function readGeoFile(path: string): GeoRange[] {
  return parseGeoCsv(readFileSync(path, 'utf8'), path);
}

export class GeoMap {
  private readonly ranges: ParsedRange[];

  constructor(
    ranges: readonly GeoRange[],
    /** The emulator's own answer for addresses outside every range. */
    private readonly fallback: (ip: string) => GeoPlace | undefined,
  ) {
    // Most specific first, so the first hit is the longest prefix.
    this.ranges = ranges.map(parseRange).sort((a, b) => b.bits - a.bits);
  }

  lookup(ip: string): GeoPlace {
    const parsed = parseIp(ip);
    if (parsed) {
      const width = parsed.v6 ? 128 : 32;
      for (const r of this.ranges) {
        if (r.v6 !== parsed.v6) continue;
        const shift = BigInt(width - r.bits);
        if ((parsed.value >> shift) << shift === r.network) return r.place;
      }
    }
    return this.fallback(ip) ?? { country: '', city: '' };
  }
}
