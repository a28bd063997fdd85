import { type ASTNode, Environment } from '@marcbachmann/cel-js';

/**
 * Rule expressions are CEL, parsed by cel-js and then compiled here into plain closures.
 * Why not call cel-js per evaluation: a `where` runs once per event that reaches a group, millions
 * of times over an archive, and cel-js costs ~0.3 µs a call (it checks types as it goes), which
 * alone would spend the whole 10 s budget. The closures cover the part of CEL rules need
 * (literals, variables, `params.x`, comparisons, arithmetic, `&&`/`||`/`!`, `?:`, `in` over list
 * literals, a few named functions); anything else is refused at load time with the reason, never
 * evaluated with `eval`. Numbers are JavaScript numbers: CEL's int/double split does not matter
 * for thresholds.
 */

export type Value = unknown;
export type Compiled<S> = (scope: S) => Value;

export interface ExprVars<S> {
  /** Variables by name: how to read each from the scope. */
  vars: Readonly<Record<string, (scope: S) => Value>>;
  /** Functions by name, called with the scope first. */
  functions?: Readonly<Record<string, (scope: S, ...args: Value[]) => Value>>;
  /** Constants under `params.` (a rule's configurable thresholds), folded in at compile time. */
  params?: Readonly<Record<string, unknown>>;
}

export class ExprError extends Error {
  constructor(
    message: string,
    readonly offset?: number,
  ) {
    super(message);
    this.name = 'ExprError';
  }
}

const env = new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false });

export function compileExpr<S>(source: string, spec: ExprVars<S>): Compiled<S> {
  let ast: ASTNode;
  try {
    ast = env.parse(source).ast;
  } catch (err) {
    throw new ExprError(`invalid CEL "${source}": ${(err as Error).message.split('\n')[0]}`);
  }
  return compileNode(ast, spec);
}

function literal(v: unknown): Value {
  return typeof v === 'bigint' ? Number(v) : v;
}

function fail(node: ASTNode, message: string): never {
  throw new ExprError(`${message} (at "${node.input.slice(node.start, node.end)}")`, node.start);
}

function compileNode<S>(node: ASTNode, spec: ExprVars<S>): Compiled<S> {
  switch (node.op) {
    case 'value': {
      const v = literal(node.args);
      return () => v;
    }
    case 'id': {
      const read = spec.vars[node.args];
      if (!read) fail(node, `unknown variable "${node.args}"; known: ${Object.keys(spec.vars).join(', ')}`);
      return read;
    }
    case '.': {
      const [target, field] = node.args;
      if (target.op === 'id' && target.args === 'params') {
        if (!spec.params || !(field in spec.params)) fail(node, `no parameter "${field}" in the rule's params`);
        const v = spec.params[field];
        return () => v;
      }
      const obj = compileNode(target, spec);
      return (s) => (obj(s) as Record<string, Value> | null | undefined)?.[field];
    }
    case 'list': {
      const items = node.args.map((n) => compileNode(n, spec));
      if (node.args.every((n) => n.op === 'value')) {
        const fixed = node.args.map((n) => literal(n.args));
        return () => fixed;
      }
      return (s) => items.map((f) => f(s));
    }
    case 'call': {
      const [name, args] = node.args;
      const fn = spec.functions?.[name];
      if (!fn) fail(node, `unknown function "${name}"; known: ${Object.keys(spec.functions ?? {}).join(', ') || 'none'}`);
      const compiled = args.map((n) => compileNode(n, spec));
      if (compiled.length === 0) return (s) => fn(s);
      if (compiled.length === 1) return (s) => fn(s, compiled[0](s));
      if (compiled.length === 2) return (s) => fn(s, compiled[0](s), compiled[1](s));
      return (s) => fn(s, ...compiled.map((f) => f(s)));
    }
    case '!_': {
      const a = compileNode(node.args, spec);
      return (s) => !a(s);
    }
    case '-_': {
      const a = compileNode(node.args, spec);
      return (s) => -(a(s) as number);
    }
    case '&&': {
      const [a, b] = node.args.map((n) => compileNode(n, spec));
      return (s) => Boolean(a(s)) && Boolean(b(s));
    }
    case '||': {
      const [a, b] = node.args.map((n) => compileNode(n, spec));
      return (s) => Boolean(a(s)) || Boolean(b(s));
    }
    case '?:': {
      const [c, a, b] = node.args.map((n) => compileNode(n, spec));
      return (s) => (c(s) ? a(s) : b(s));
    }
    case 'in': {
      const [a, b] = node.args.map((n) => compileNode(n, spec));
      if (node.args[1].op === 'list' && node.args[1].args.every((n) => n.op === 'value')) {
        const set = new Set(b(undefined as S) as Value[]);
        return (s) => set.has(a(s));
      }
      return (s) => {
        const hay = b(s);
        return Array.isArray(hay) ? hay.includes(a(s)) : hay instanceof Set ? hay.has(a(s)) : false;
      };
    }
    case '==':
    case '!=':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
      return binary(node.op, compileNode(node.args[0], spec), compileNode(node.args[1], spec));
    default:
      fail(node, `"${node.op}" is not supported in rule expressions`);
  }
}

function binary<S>(op: string, a: Compiled<S>, b: Compiled<S>): Compiled<S> {
  type N = number;
  switch (op) {
    case '==':
      return (s) => a(s) === b(s);
    case '!=':
      return (s) => a(s) !== b(s);
    case '<':
      return (s) => (a(s) as N) < (b(s) as N);
    case '<=':
      return (s) => (a(s) as N) <= (b(s) as N);
    case '>':
      return (s) => (a(s) as N) > (b(s) as N);
    case '>=':
      return (s) => (a(s) as N) >= (b(s) as N);
    case '+':
      return (s) => (a(s) as N) + (b(s) as N);
    case '-':
      return (s) => (a(s) as N) - (b(s) as N);
    case '*':
      return (s) => (a(s) as N) * (b(s) as N);
    case '/':
      return (s) => (a(s) as N) / (b(s) as N);
    default:
      return (s) => (a(s) as N) % (b(s) as N);
  }
}
