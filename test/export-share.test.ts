/**
 * The main thread's share of a two-thread export: its next segment is sized so that formatting
 * it and writing the worker's text take as long as the worker's own segment, within bounds.
 */
import { describe, expect, it } from 'vitest';
import { Share } from '../src/export/parallel.js';

const ROWS = 16_384;

function share(own: [number, number], theirs: [number, number], writeMs = 0): number {
  const s = new Share(ROWS);
  s.own(...own);
  s.theirs(...theirs);
  s.writing(writeMs);
  return s.next();
}

describe('Share', () => {
  it.each([
    ['equal rates, nothing to write: equal segments', [ROWS, 1000], [ROWS, 1000], 0, ROWS],
    ['the worker twice as fast: half a segment', [ROWS, 1000], [ROWS, 500], 0, ROWS / 2],
    ['writing the worker text takes a fifth of its time: a fifth less', [ROWS, 1000], [ROWS, 1000], 200, 13_107],
    ['the main thread twice as fast: at most two segments', [ROWS, 250], [ROWS, 1000], 0, 2 * ROWS],
    ['writing takes longer than the worker: at least an eighth', [ROWS, 1000], [ROWS, 100], 500, ROWS / 8],
  ] as const)('%s', (_, own, theirs, writeMs, rows) => {
    expect(share([...own], [...theirs], writeMs)).toBe(rows);
  });

  it('keeps equal segments until both rates are known', () => {
    expect(share([500, 100], [ROWS, 1000])).toBe(ROWS);
    expect(share([ROWS, 1000], [ROWS / 4, 100])).toBe(ROWS);
    expect(new Share(ROWS).next()).toBe(ROWS);
  });
});
