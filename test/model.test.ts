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
