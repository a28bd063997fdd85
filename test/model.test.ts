import { describe, expect, it } from 'vitest';
import { ACTIONS, actionKind, normalisePortalUrl, parseApiDate, parseTimeInput } from '../src/index.js';
import { formatApiDate } from '../src/model/time.js';

describe('ApiDateTime parsing', () => {
  it.each([
    ['2025-06-03T14:05:09.0000000+02:00', '2025-06-03T12:05:09.000Z', 120],
    ['2025-01-10T09:00:00.0000000Z', '2025-01-10T09:00:00.000Z', 0],
    ['2025-01-10T09:00:00.1234567-05:00', '2025-01-10T14:00:00.123Z', -300],
    ['2025-01-10T09:00:00Z', '2025-01-10T09:00:00.000Z', 0],
  ])('%s is the instant %s with offset %i minutes', (input, utc, offset) => {
    const p = parseApiDate(input)!;
    expect(new Date(p.time).toISOString()).toBe(utc);
    expect(p.offsetMinutes).toBe(offset);
  });

  it.each(['2025-06-03', '2025-06-03T14:05:09', 'yesterday', '2025-02-30T00:00:00Z'])(
    'rejects %s',
    (input) => {
      expect(parseApiDate(input)).toBeUndefined();
    },
  );

  it.each([
    ['2024-02-29T23:59:59.9990000Z', '2024-02-29T23:59:59.999Z'],
    ['2000-02-29T00:00:00.0000000+14:00', '2000-02-28T10:00:00.000Z'],
    ['2025-12-31T10:60:00.0000000Z', '2025-12-31T11:00:00.000Z'],
  ])('reads the server shape %s as %s', (input, utc) => {
    expect(new Date(parseApiDate(input)!.time).toISOString()).toBe(utc);
  });

  it.each([
    '2025-02-29T00:00:00.0000000Z',
    '1900-02-29T00:00:00.0000000+01:00',
    '2025-04-31T00:00:00.0000000Z',
    '2025-01-10T24:00:00.0000000Z',
    '2025-13-01T00:00:00.0000000Z',
    '2025-01-10T09:00:00.0000000+05:60',
    '2025-01-10T09:00:00.00a0000Z',
    '2025-01-10T09:00:00.0000000*05:00',
  ])('rejects %s in the server shape', (input) => {
    expect(parseApiDate(input)).toBeUndefined();
  });

  it('reads every server-shaped date as the general pattern does', () => {
    // The reading before the fast path, kept here as the reference.
    const reference = (value: string) => {
      const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\.(\d{7})(Z|[+-]\d{2}:\d{2})$/.exec(value);
      if (!m) return undefined;
      const [, y, mo, d, h, mi, s, frac, zone] = m;
      const local = Date.UTC(+y, +mo - 1, +d, +h, +mi, +s, Number(frac.slice(0, 3)));
      const off = zone === 'Z' ? 0 : (zone[0] === '-' ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4)));
      if (zone !== 'Z' && Number(zone.slice(4)) > 59) return undefined;
      const check = new Date(local);
      if (check.getUTCDate() !== +d || check.getUTCMonth() !== +mo - 1) return undefined;
      return { time: local - off * 60_000, offsetMinutes: off };
    };
    let seed = 7;
    const rand = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    const two = (n: number) => String(n).padStart(2, '0');
    for (let i = 0; i < 20_000; i++) {
      const year = [0, 99, 1000, 1900, 2000, 2024, 2025, 2100, 9999][rand(9)];
      const zone = rand(3) === 0 ? 'Z' : `${rand(2) ? '+' : '-'}${two(rand(16))}:${two(rand(62))}`;
      const value =
        `${String(year).padStart(4, '0')}-${two(rand(14))}-${two(rand(33))}T${two(rand(26))}:${two(rand(62))}:` +
        `${two(rand(62))}.${String(rand(10_000_000)).padStart(7, '0')}${zone}`;
      expect(parseApiDate(value), value).toEqual(reference(value));
    }
  });

  it('formats back in the server style with 7 digits', () => {
    expect(formatApiDate(Date.UTC(2025, 5, 3, 12, 5, 9), 120)).toBe('2025-06-03T14:05:09.0000000+02:00');
    expect(formatApiDate(Date.UTC(2025, 0, 10, 9), 0)).toBe('2025-01-10T09:00:00.0000000Z');
  });
});

describe('time input', () => {
  const now = Date.UTC(2026, 10, 22, 12);
  it.each([
    ['30d', now - 30 * 86_400_000],
    ['12h', now - 12 * 3_600_000],
    ['15m', now - 15 * 60_000],
    ['2025-06-01', Date.UTC(2025, 5, 1)],
    ['2025-06-01T14:00:00Z', Date.UTC(2025, 5, 1, 14)],
    ['2025-06-01T14:00:00+02:00', Date.UTC(2025, 5, 1, 12)],
  ])('%s', (input, expected) => {
    expect(parseTimeInput(input, now)).toBe(expected);
  });
  it.each(['last week', '2025-13-01', '2025-06-01T25:00:00Z', ''])('rejects "%s"', (input) => {
    expect(parseTimeInput(input, now)).toBeUndefined();
  });
});

describe('action catalogue', () => {
  it('maps every code from 1000 to 1029 to a kind and a label', () => {
    for (let code = 1000; code <= 1029; code++) {
      const a = ACTIONS.get(code);
      expect(a, String(code)).toBeDefined();
      expect(a!.label.length).toBeGreaterThan(3);
    }
    expect(actionKind(1010)).toBe('success');
    expect(actionKind(1013)).toBe('failure');
    expect(actionKind(1006)).toBe('logout');
    expect(actionKind(1016)).toBe('other');
    expect(actionKind(4242)).toBe('other');
  });
});

describe('portal URL', () => {
  it.each([
    ['acme.onlyoffice.com', 'https://acme.onlyoffice.com'],
    ['https://acme.onlyoffice.com/', 'https://acme.onlyoffice.com'],
    ['https://acme.onlyoffice.com/api/2.0/', 'https://acme.onlyoffice.com'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
  ])('%s means %s', (input, expected) => {
    expect(normalisePortalUrl(input)).toBe(expected);
  });
  it('refuses credentials inside the URL', () => {
    expect(() => normalisePortalUrl('https://user:pw@acme.onlyoffice.com')).toThrow(
      /must not contain credentials/,
    );
  });
  it('refuses other schemes', () => {
    expect(() => normalisePortalUrl('ftp://acme')).toThrow(/https/);
  });
});
