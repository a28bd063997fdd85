import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from '../errors/index.js';
import { Detector } from './engine.js';
import { ExprError } from './expr.js';
import { type RuleSpec, ruleSchema } from './rule-schema.js';
import { compileRule } from './rule.js';
import { BUILTIN_RULES_DIR } from './rules-dir.js';
import { SelectionError } from './selection.js';

/**
 * A rule file that failed to load: every problem, each with file:line:column where known. The
 * file is the user's input, so a usage error (exit 2) wherever a command loads rules.
 */
export class RuleLoadError extends UsageError {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: invalid rule\n  ${problems.join('\n  ')}`);
  }
}

export interface LoadedRule {
  spec: RuleSpec;
  file: string;
}

export { BUILTIN_RULES_DIR };

/** Parses and validates one rule from YAML text; `file` is used in messages only. */
export function parseRule(text: string, file = '<rule>'): LoadedRule {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined) => {
    const offset = node?.range?.[0];
    if (offset === undefined) return file;
    const { line, col } = lines.linePos(offset);
    return `${file}:${line}:${col}`;
  };
  if (doc.errors.length) throw new RuleLoadError(file, doc.errors.map((e) => `${at({ range: [e.pos[0], e.pos[0], e.pos[0]] } as Node)}: ${e.message.split('\n')[0]}`));
  const nodeAt = (path: readonly PropertyKey[]): Node | undefined => {
    // Walk as deep as the document goes: a missing key points at its parent.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n) as unknown[], true) as Node | undefined;
      if (node && (isMap(node) || isSeq(node) || 'range' in node)) return node;
    }
    return undefined;
  };
  const parsed = ruleSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    throw new RuleLoadError(file, parsed.error.issues.map((i) => `${at(nodeAt(i.path))}: ${i.path.join('.') || '(rule)'}: ${i.message}`));
  }
  try {
    compileRule(parsed.data, {}, file);
    // Building a detector compiles what only processors compile (correlation `where`, modules).
    new Detector([parsed.data]);
  } catch (err) {
    if (err instanceof SelectionError || err instanceof ExprError || (err as { path?: unknown }).path) {
      const path = ((err as { path?: (string | number)[] }).path ?? []) as (string | number)[];
      throw new RuleLoadError(file, [`${at(nodeAt(path))}: ${path.join('.')}: ${(err as Error).message}`]);
    }
    throw new RuleLoadError(file, [(err as Error).message]);
  }
  return { spec: parsed.data, file };
}

/** Loads a rule file, or every *.yaml / *.yml file of a folder (sorted by name). Ids must be unique. */
export function loadRules(path: string): LoadedRule[] {
  const files = isFolder(path)
    ? readdirSync(path).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(path, f))
    : [path];
  const rules = files.map((f) => parseRule(readFileSync(f, 'utf8'), f));
  const seen = new Map<string, string>();
  for (const r of rules) {
    const other = seen.get(r.spec.id);
    if (other) throw new RuleLoadError(r.file, [`rule id ${r.spec.id} is also used by ${other}`]);
    seen.set(r.spec.id, r.file);
  }
  return rules;
}

let builtin: LoadedRule[] | undefined;

/** The rules shipped in rules/*.yaml. */
export function builtinRules(): RuleSpec[] {
  builtin ??= loadRules(BUILTIN_RULES_DIR);
  return builtin.map((r) => r.spec);
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError(`${path}: no such rule file or folder`);
    throw err;
  }
}
