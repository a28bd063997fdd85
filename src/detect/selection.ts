import { VIEW_FIELDS, type EventView } from './view.js';

/**
 * Sigma-style event matching. A selection maps `field` or `field|modifier` to a value or a list
 * (any item matches); all fields of a selection must match. The `condition` combines selection
 * names with `and`, `or`, `not` and parentheses. Everything compiles to closures once per rule.
 */
export type Predicate = (v: EventView) => boolean;

type Scalar = string | number | boolean;
const MODIFIERS = ['not', 'contains', 'startswith', 'endswith', 'gt', 'gte', 'lt', 'lte', 're'] as const;
const FIELDS: ReadonlySet<string> = new Set(VIEW_FIELDS);

export class SelectionError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = 'SelectionError';
  }
}

function read(field: string): (v: EventView) => unknown {
  return (v) => (v as unknown as Record<string, unknown>)[field];
}

function matcher(key: string, value: Scalar | Scalar[], path: (string | number)[]): Predicate {
  const [field, modifier] = key.split('|', 2);
  if (!FIELDS.has(field)) throw new SelectionError(`unknown field "${field}"; fields: ${VIEW_FIELDS.join(', ')}`, path);
  if (modifier && !(MODIFIERS as readonly string[]).includes(modifier)) {
    throw new SelectionError(`unknown modifier "${modifier}"; modifiers: ${MODIFIERS.join(', ')}`, path);
  }
  const get = read(field);
  const values = Array.isArray(value) ? value : [value];
  switch (modifier) {
    case undefined:
    case 'not': {
      const set = new Set<unknown>(values);
      const positive: Predicate = values.length === 1 ? (v) => get(v) === values[0] : (v) => set.has(get(v));
      return modifier ? (v) => !positive(v) : positive;
    }
    case 'contains':
    case 'startswith':
    case 'endswith': {
      const needles = values.map((n) => String(n).toLowerCase());
      const test =
        modifier === 'contains'
          ? (s: string, n: string) => s.includes(n)
          : modifier === 'startswith'
            ? (s: string, n: string) => s.startsWith(n)
            : (s: string, n: string) => s.endsWith(n);
      return (v) => {
        const s = String(get(v) ?? '').toLowerCase();
        return needles.some((n) => test(s, n));
      };
    }
    case 're': {
      const res = values.map((r) => {
        try {
          return new RegExp(String(r), 'u');
        } catch (err) {
          throw new SelectionError(`invalid regular expression: ${(err as Error).message}`, path);
        }
      });
      return (v) => res.some((r) => r.test(String(get(v) ?? '')));
    }
    default: {
      const limit = Number(values[0]);
      if (values.length !== 1 || Number.isNaN(limit)) throw new SelectionError(`|${modifier} takes one number`, path);
      if (modifier === 'gt') return (v) => (get(v) as number) > limit;
      if (modifier === 'gte') return (v) => (get(v) as number) >= limit;
      if (modifier === 'lt') return (v) => (get(v) as number) < limit;
      return (v) => (get(v) as number) <= limit;
    }
  }
}

export function compileSelection(sel: Record<string, Scalar | Scalar[]>, path: (string | number)[]): Predicate {
  const parts = Object.entries(sel).map(([k, value]) => matcher(k, value, [...path, k]));
  if (parts.length === 0) return () => true;
  if (parts.length === 1) return parts[0];
  if (parts.length === 2) {
    const [a, b] = parts;
    return (v) => a(v) && b(v);
  }
  return (v) => parts.every((p) => p(v));
}

/** Compiles `detection:` (selections plus condition) into one predicate. */
export function compileDetection(detection: Record<string, unknown>, path: (string | number)[]): {
  match: Predicate;
  selections: Map<string, Predicate>;
} {
  const selections = new Map<string, Predicate>();
  for (const [name, sel] of Object.entries(detection)) {
    if (name === 'condition') continue;
    selections.set(name, compileSelection(sel as Record<string, Scalar | Scalar[]>, [...path, name]));
  }
  let condition = detection.condition as string | undefined;
  if (condition === undefined) {
    if (selections.size !== 1) throw new SelectionError('a condition is needed when there are several selections', path);
    condition = [...selections.keys()][0];
  }
  return { match: parseCondition(condition, selections, [...path, 'condition']), selections };
}

/** Recursive descent over `a and not (b or c)`: or < and < not < atom. */
function parseCondition(text: string, selections: Map<string, Predicate>, path: (string | number)[]): Predicate {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new SelectionError(`condition "${text}": ${msg}`, path);
  };
  const orExpr = (): Predicate => {
    let left = andExpr();
    while (tokens[i]?.toLowerCase() === 'or') {
      i++;
      const a = left;
      const b = andExpr();
      left = (v) => a(v) || b(v);
    }
    return left;
  };
  const andExpr = (): Predicate => {
    let left = notExpr();
    while (tokens[i]?.toLowerCase() === 'and') {
      i++;
      const a = left;
      const b = notExpr();
      left = (v) => a(v) && b(v);
    }
    return left;
  };
  const notExpr = (): Predicate => {
    if (tokens[i]?.toLowerCase() === 'not') {
      i++;
      const a = notExpr();
      return (v) => !a(v);
    }
    return atom();
  };
  const atom = (): Predicate => {
    const t = tokens[i++];
    if (t === undefined) return fail('ends too early');
    if (t === '(') {
      const inner = orExpr();
      if (tokens[i++] !== ')') fail('missing )');
      return inner;
    }
    const sel = selections.get(t);
    if (!sel) return fail(`no selection named "${t}" (have: ${[...selections.keys()].join(', ')})`);
    return sel;
  };
  const result = orExpr();
  if (i !== tokens.length) fail(`unexpected "${tokens[i]}"`);
  return result;
}
