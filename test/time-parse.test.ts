import { describe, expect, it } from 'vitest';
import { isoUtc, parseIsoUtc } from '../src/model/time.js';

describe('parseIsoUtc, the fast reader of event times', () => {
  it('agrees with Date.parse on what isoUtc writes, across days, years and leap days', () => {
    const times = [0, 951_782_400_000, 1_709_164_800_123, 1_735_689_599_999, Date.parse('2025-07-01T10:00:00.5Z'), -86_400_000];
    for (let t = Date.parse('2023-12-30T00:00:00Z'); t < Date.parse('2024-03-02T00:00:00Z'); t += 7 * 3_600_000 + 1234) times.push(t);
    for (const t of times) expect(parseIsoUtc(isoUtc(t)), isoUtc(t)).toBe(t);
  });

  it.each([
    '2025-07-01T10:00:00Z',
    '2025-02-29T10:00:00.000Z',
    '2025-13-01T10:00:00.000Z',
    '2025-07-01 10:00:00.000Z',
    '2025-07-01T10:00:00.000+02:00',
    '0099-01-01T00:00:00.000Z',
    'not a date at all, 24 ch',
    '',
  ])('gives what Date.parse gives for %j', (text) => {
    expect(parseIsoUtc(text)).toEqual(Date.parse(text));
  });
});
