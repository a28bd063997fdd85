/**
 * `docspace-logins rules list | show ID | test [FILE|DIR]`: the detection rules, built in and the
 * user's own, and their inline tests. A thin shell over `src/detect`.
 */
import { relative } from 'node:path';
import type { LoadedRule } from '../../detect/index.js';
import { UsageError } from '../../errors/index.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import { type OutputFlags, parseOutputFlags, writeRows } from '../output.js';

export interface RulesFlags extends OutputFlags {
  /** A rule file or a folder of them, besides the built-in rules. */
  rules?: string;
}

type ListedRule = LoadedRule & { builtin: boolean };

async function loaded(dir: string | undefined): Promise<ListedRule[]> {
  const { BUILTIN_RULES_DIR, loadRules } = await import('../../detect/index.js');
  return [
    ...loadRules(BUILTIN_RULES_DIR).map((r) => ({ ...r, builtin: true })),
    ...(dir ? loadRules(dir).map((r) => ({ ...r, builtin: false })) : []),
  ];
}

/** Where a rule comes from, as a table shows it: the end of a long absolute path is what tells rules apart. */
function source(rule: ListedRule): string {
  return rule.builtin ? 'built in' : relative(process.cwd(), rule.file) || rule.file;
}

export async function rulesListCommand(flags: RulesFlags, io: CliIo, _reporter: Reporter): Promise<number> {
  const output = parseOutputFlags(flags, io, FORMATS_OF.rules);
  const rules = await loaded(flags.rules);
  await writeRows(
    output,
    io,
    {
      columns: [
        { key: 'id', header: 'ID', value: (r) => r.spec.id, keep: true },
        { key: 'severity', header: 'Severity', value: (r) => r.spec.severity, keep: true },
        { key: 'title', header: 'Title', value: (r) => r.spec.title, keep: true },
        { key: 'tests', header: 'Tests', value: (r) => r.spec.tests.length, kind: 'number' },
        { key: 'source', header: 'Source', value: source },
      ],
      json: (r) => ({ id: r.spec.id, severity: r.spec.severity, title: r.spec.title, tests: r.spec.tests.length, builtin: r.builtin, file: r.file }),
    },
    rules,
  );
  return 0;
}

export async function rulesShowCommand(id: string, flags: RulesFlags, io: CliIo, _reporter: Reporter): Promise<number> {
  const rules = await loaded(flags.rules);
  const rule = rules.find((r) => r.spec.id.toLowerCase() === id.toLowerCase());
  if (!rule) throw new UsageError(`No rule "${id}": see docspace-logins rules list`);
  const { readFileSync } = await import('node:fs');
  io.stdout.write(readFileSync(rule.file, 'utf8'));
  return 0;
}

/** Runs the inline tests of the built-in rules, or of the given file or folder; exit 1 on a failure. */
export async function rulesTestCommand(path: string | undefined, _flags: RulesFlags, io: CliIo, _reporter: Reporter): Promise<number> {
  const { BUILTIN_RULES_DIR, runRuleTests } = await import('../../detect/index.js');
  const results = await runRuleTests(path ?? BUILTIN_RULES_DIR);
  let failed = 0;
  for (const r of results) {
    if (!r.ok) failed++;
    io.stdout.write(`${r.ok ? 'ok  ' : 'FAIL'} ${r.rule}: ${r.test}\n`);
    for (const p of r.problems) io.stdout.write(`     ${p}\n`);
  }
  io.stdout.write(`${results.length - failed} passed, ${failed} failed\n`);
  return failed ? 1 : 0;
}
