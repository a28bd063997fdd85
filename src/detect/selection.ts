import { ACTION_KINDS, type ActionKind } from '../model/actions.js';
import { type EventView, VIEW_FIELDS, VIEW_READERS, type ViewField } from './view.js';

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


function matcher(key: string, value: Scalar | Scalar[], path: (string | number)[]): Predicate {
  const [field, modifier] = key.split('|', 2);
  if (!FIELDS.has(field)) throw new SelectionError(`unknown field "${field}"; fields: ${VIEW_FIELDS.join(', ')}`, path);
  if (modifier && !(MODIFIERS as readonly string[]).includes(modifier)) {
    throw new SelectionError(`unknown modifier "${modifier}"; modifiers: ${MODIFIERS.join(', ')}`, path);
  }
  const get = VIEW_READERS[field as ViewField];
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
  return (v) => {
    for (let i = 0; i < parts.length; i++) if (!parts[i](v)) return false;
    return true;
  };
}

/** Compiles `detection:` (selections plus condition) into one predicate. */
export function compileDetection(detection: Record<string, unknown>, path: (string | number)[]): {
  match: Predicate;
  selections: Map<string, Predicate>;
  byOutcome: OutcomeRoutes;
} {
  const selections = new Map<string, Predicate>();
  const sure = new Map<string, (kind: ActionKind) => Maybe>();
  for (const [name, sel] of Object.entries(detection)) {
    if (name === 'condition') continue;
    selections.set(name, compileSelection(sel as Record<string, Scalar | Scalar[]>, [...path, name]));
    sure.set(name, (kind) => selectionOnKind(sel as Record<string, Scalar | Scalar[]>, kind));
  }
  let condition = detection.condition as string | undefined;
  if (condition === undefined) {
    if (selections.size !== 1) throw new SelectionError('a condition is needed when there are several selections', path);
    condition = [...selections.keys()][0];
  }
  const match = parseCondition(condition, selections, PREDICATES, [...path, 'condition']);
  const byOutcome = Object.fromEntries(
    ACTION_KINDS.map((kind) => {
      const on = new Map([...sure].map(([name, f]) => [name, f(kind)]));
      return [kind, parseCondition(condition, on, MAYBE, [...path, 'condition'])];
    }),
  ) as OutcomeRoutes;
  return { match, selections, byOutcome };
}

/**
 * What a rule's condition says for events of one outcome, known before any event: `true` every
 * such event matches, `false` none does, `'maybe'` the predicate must be asked. The engine routes
 * each event only to the rules that can match its outcome (most events are successes, which
 * failure rules never need to see) and skips the predicate where it is sure.
 */
export type Maybe = boolean | 'maybe';
export type OutcomeRoutes = Readonly<Record<ActionKind, Maybe>>;

/** A selection on events of `kind`: only its `outcome` keys are known in advance; the rest may go either way. */
function selectionOnKind(sel: Record<string, Scalar | Scalar[]>, kind: ActionKind): Maybe {
  let result: Maybe = true;
  for (const [key, value] of Object.entries(sel)) {
    const [field, modifier] = key.split('|', 2);
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (field === 'outcome' && modifier === undefined) result = MAYBE.and(result, values.includes(kind));
    else if (field === 'outcome' && modifier === 'not') result = MAYBE.and(result, !values.includes(kind));
    else result = MAYBE.and(result, 'maybe');
  }
  return result;
}

interface Logic<T> {
  and(a: T, b: T): T;
  or(a: T, b: T): T;
  not(a: T): T;
}

const PREDICATES: Logic<Predicate> = {
  and: (a, b) => (v) => a(v) && b(v),
  or: (a, b) => (v) => a(v) || b(v),
  not: (a) => (v) => !a(v),
};

/** Kleene's three-valued logic. */
const MAYBE: Logic<Maybe> = {
  and: (a, b) => (a === false || b === false ? false : a === true && b === true ? true : 'maybe'),
  or: (a, b) => (a === true || b === true ? true : a === false && b === false ? false : 'maybe'),
  not: (a) => (a === 'maybe' ? a : !a),
};

/** Recursive descent over `a and not (b or c)`: or < and < not < atom. */
function parseCondition<T>(text: string, selections: ReadonlyMap<string, T>, logic: Logic<T>, path: (string | number)[]): T {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? [];
  let i = 0;
  const fail = (msg: string): never => {
    throw new SelectionError(`condition "${text}": ${msg}`, path);
  };
  const orExpr = (): T => {
    let left = andExpr();
    while (tokens[i]?.toLowerCase() === 'or') {
      i++;
      left = logic.or(left, andExpr());
    }
    return left;
  };
  const andExpr = (): T => {
    let left = notExpr();
    while (tokens[i]?.toLowerCase() === 'and') {
      i++;
      left = logic.and(left, notExpr());
    }
    return left;
  };
  const notExpr = (): T => {
    if (tokens[i]?.toLowerCase() === 'not') {
      i++;
      return logic.not(notExpr());
    }
    return atom();
  };
  const atom = (): T => {
    const t = tokens[i++];
    if (t === undefined) return fail('ends too early');
    if (t === '(') {
      const inner = orExpr();
      if (tokens[i++] !== ')') fail('missing )');
      return inner;
    }
    const sel = selections.get(t);
    if (sel === undefined) return fail(`no selection named "${t}" (have: ${[...selections.keys()].join(', ')})`);
    return sel;
  };
  const result = orExpr();
  if (i !== tokens.length) fail(`unexpected "${tokens[i]}"`);
  return result;
}
