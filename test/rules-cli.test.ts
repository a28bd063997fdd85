// `rules list | show | test` from the command line, over the built-in rules and a user's own.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('rules', () => {
  it('list names every built-in rule with its severity; show prints one as YAML', async () => {
    const list = await cli(['rules', 'list', '--format', 'json']);
    expect(list.code, list.stderr).toBe(0);
    const rules = JSON.parse(list.stdout) as Array<{ id: string; severity: string; tests: number }>;
    expect(rules.map((r) => r.id)).toEqual(Array.from({ length: 18 }, (_, i) => `DSL-${String(i + 1).padStart(3, '0')}`));
    expect(rules.every((r) => r.tests >= 1)).toBe(true);
    // A table names built-in rules as such: a truncated absolute path ends where rule files differ.
    const table = await cli(['rules', 'list', '--format', 'table', '--columns', 'id,source']);
    expect(table.stdout.split('\n')[1]).toMatch(/^DSL-001 +built in$/);
    const show = await cli(['rules', 'show', 'dsl-003']);
    expect(show.stdout).toMatch(/^id: DSL-003$/m);
    expect((await cli(['rules', 'show', 'DSL-999'])).code).toBe(2);
  });

  it('test runs the built-in rules\' inline tests, and fails (exit 1) on a user rule whose test does not hold', async () => {
    const builtin = await cli(['rules', 'test']);
    expect(builtin.code, builtin.stdout).toBe(0);
    expect(builtin.stdout).toMatch(/^\d+ passed, 0 failed$/m);
    const dir = mkdtempSync(join(tmpdir(), 'dl-rules-'));
    const spray = readFileSync(new URL('../rules/DSL-003-password-spray.yaml', import.meta.url), 'utf8');
    // The same rule, expecting nothing from a real spray: its test must fail.
    const wrong = spray.replace(/^id: DSL-003$/m, 'id: MY-001').replace(/ {4}expect:\n {6}- \{ group: 198\.51\.100\.7.*\n/, '    expect: []\n');
    writeFileSync(join(dir, 'mine.yaml'), wrong);
    const mine = await cli(['rules', 'test', dir]);
    expect(mine.code).toBe(1);
    expect(mine.stdout).toMatch(/^FAIL MY-001/m);
    const listed = await cli(['rules', 'list', '--rules', dir, '--format', 'json']);
    const own = (JSON.parse(listed.stdout) as Array<{ id: string; builtin: boolean; file: string }>).at(-1);
    expect(own).toEqual(expect.objectContaining({ id: 'MY-001', builtin: false, file: join(dir, 'mine.yaml') }));
  });

  it('a missing or invalid rule file is a usage error (exit 2) that names the file, in every command that loads rules', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dl-rules-bad-'));
    const missing = join(dir, 'nowhere');
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'id: MY-002\n');
    const runs = [
      ['rules', 'test', missing],
      ['rules', 'test', bad],
      ['rules', 'list', '--rules', missing],
      ['rules', 'list', '--rules', bad],
      ['detect', '--demo', '--rules', missing],
      ['detect', '--demo', '--rules', bad],
      ['watch', '--demo', '--once', '--rules', missing],
    ];
    for (const args of runs) {
      const r = await cli(args);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(args.at(-1) === bad ? /^error: .*bad\.yaml: invalid rule$/m : /^error: .*nowhere: no such rule file or folder$/m);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
    }
  });
});
