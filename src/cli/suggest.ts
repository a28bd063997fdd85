/** "Did you mean …?" for a mistyped name: a report, a --kind value. */
import { InvalidArgumentError } from 'commander';

/** Edits (insert, delete, substitute) that turn `a` into `b`. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}

/** The choice `word` most likely meant: a prefix of it, or one a few typos away; else undefined. */
export function closest(word: string, choices: readonly string[]): string | undefined {
  const w = word.trim().toLowerCase();
  if (!w) return undefined;
  const prefixed = choices.filter((c) => c.startsWith(w));
  if (prefixed.length === 1) return prefixed[0];
  let best: string | undefined;
  let bestDistance = Math.max(1, Math.floor(w.length / 3));
  for (const c of choices) {
    const d = distance(w, c);
    if (d <= bestDistance && (best === undefined || d < distance(w, best))) {
      best = c;
      bestDistance = d;
    }
  }
  return best;
}

/** The message for a value that is not one of `choices`, with a suggestion when there is one. */
export function notOneOf(value: string, what: string, choices: readonly string[]): string {
  const guess = closest(value, choices);
  const hint = guess ? `\nDid you mean "${guess}"?` : '';
  return `${what} "${value}" is not one of: ${choices.join(', ')}${hint}`;
}

/** A commander argument parser that accepts only `choices`, and suggests one for a typo. */
export function oneOf(choices: readonly string[], what: string) {
  return (value: string): string => {
    if (!choices.includes(value)) throw new InvalidArgumentError(notOneOf(value, what, choices));
    return value;
  };
}

/** Like `oneOf` for a repeatable flag that also takes comma lists (`--kind success,failure`). */
export function someOf(choices: readonly string[], what: string) {
  return (value: string, previous: string[] = []): string[] => {
    for (const v of value.split(',').map((s) => s.trim()).filter(Boolean)) {
      if (!choices.includes(v)) throw new InvalidArgumentError(notOneOf(v, what, choices));
    }
    return [...previous, value];
  };
}
