/**
 * The CLI's manners at a terminal, run as a user would (the built dist/bin/main.js): tables that
 * fit, colour and its switches, the pager, closing lines, `--json` fields, usage errors that
 * help, and shell completion. DOCSPACE_LOGINS_FORCE_TTY=1 stands in for a terminal.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { beforeAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

const ESC = '\u001b';
let dir: string;
let db: string;
let alertsDb: string;

/** Settings of a person's shell: a config dir of its own, and no pager unless a test asks. */
const home = () => ({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DOCSPACE_LOGINS_PAGER: '', FORCE_COLOR: undefined });
/** Run at a (pretend) terminal `columns` wide. */
const terminal = (args: string[], env: Record<string, string | undefined> = {}, columns = 100) =>
  cli(args, { ...home(), DOCSPACE_LOGINS_FORCE_TTY: '1', COLUMNS: String(columns), ...env });
/** Run with stdout a pipe. */
const piped = (args: string[], env: Record<string, string | undefined> = {}) => cli(args, { ...home(), ...env });

/**
 * Demo reads carry `--since`: without it a `--limit` read of the demo portal pages the whole
 * retention and waits out dropped connections, which costs seconds per run.
 */
const lines = (text: string) => text.split('\n').filter((l) => l.length);
const visible = (line: string) => Array.from(line.replace(/\u001b\[[0-9;]*m/g, '')).length;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'dl-manners-'));
  db = join(dir, 'archive.sqlite');
  const sync = await piped(['sync', '--demo', '--db', db, '-q']);
  expect(sync.code).toBe(0);
  const profile = await piped(['profiles', 'add', 'acme', '--portal', 'https://acme.example.com', '--key-env', 'ACME_KEY']);
  expect(profile.code).toBe(0);
  // An outbox with an alert in it, for the alerts table.
  alertsDb = join(dir, 'alerts.sqlite');
  const watch = await piped(['watch', '--once', '--demo', '--db', alertsDb, '--alert', `file:${join(dir, 'alerts.ndjson')}`, '-q']);
  expect(watch.code, watch.stderr).toBe(0);
}, 120_000);

describe('every table fits the terminal', () => {
  const tables: Array<[string, () => string[]]> = [
    ['events', () => ['events', '--demo', '--since', '3d', '--limit', '40']],
    ['users --details', () => ['users', '--demo', '--details', '--since', '30d']],
    ['users --format table', () => ['users', '--demo', '--format', 'table']],
    ['status', () => ['status', '--db', db]],
    ['sql', () => ['sql', 'SELECT * FROM events LIMIT 20', '--demo', '--db', db]],
    ['profiles list', () => ['profiles', 'list']],
    ...['summary', 'users', 'failures', 'ips', 'countries', 'browsers', 'platforms', 'daily'].map(
      (name): [string, () => string[]] => [`report ${name}`, () => ['report', name, '--demo', '--db', db]],
    ),
    ['report inactive', () => ['report', 'inactive', '--demo', '--db', db, '--days', '1']],
    ['report users --live', () => ['report', 'users', '--live', '--demo', '--since', '7d']],
    ['events --archive', () => ['events', '--archive', '--demo', '--db', db, '--limit', '40']],
    ['rules list', () => ['rules', 'list']],
    // detect stores what it finds: findings list then has rows to show.
    ['detect', () => ['detect', '--demo', '--db', db]],
    ['findings list', () => ['findings', 'list', '--demo', '--db', db]],
    ['alerts list', () => ['alerts', 'list', '--db', alertsDb]],
  ];
  for (const columns of [80, 120]) {
    it.each(tables)(`%s: no line is wider than ${columns} columns`, async (_name, args) => {
      const r = await terminal([...args(), '-q'], {}, columns);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(lines(r.stdout).length).toBeGreaterThan(1);
      expect(r.stdout).not.toContain(ESC);
      for (const line of lines(r.stdout)) expect(visible(line), line).toBeLessThanOrEqual(columns);
    });
  }

  it('events at 80 columns show time, user, kind, IP and country; --wide shows them all, wider', async () => {
    const narrow = await terminal(['events', '--demo', '--since', '3d', '--limit', '20', '-q'], {}, 80);
    expect(lines(narrow.stdout)[0].trim().split(/\s{2,}/)).toEqual(['Date', 'User', 'Kind', 'IP', 'Country']);
    const wide = await terminal(['events', '--demo', '--since', '3d', '--limit', '20', '-q', '--wide'], {}, 80);
    const header = lines(wide.stdout)[0];
    for (const h of ['Page', 'Platform', 'Browser', 'City', 'User ID', 'Anonymous']) expect(header).toContain(h);
    expect(Math.max(...lines(wide.stdout).map(visible))).toBeGreaterThan(120);
  });

  it('--columns picks the columns and their order', async () => {
    const r = await terminal(['events', '--demo', '--since', '3d', '--limit', '5', '-q', '--columns', 'ip,kind,date'], {}, 120);
    expect(r.code).toBe(0);
    expect(lines(r.stdout)[0].trim().split(/\s{2,}/)).toEqual(['IP', 'Kind', 'Date']);
    const bad = await terminal(['events', '--demo', '--since', '3d', '--limit', '5', '-q', '--columns', 'ip,where']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Unknown column "where"[\s\S]*country/);
  });
});

describe('colour', () => {
  const args = ['events', '--demo', '--since', '3d', '--limit', '10', '-q', '--format', 'table'];
  it.each([
    ['a terminal', 'colour', { DOCSPACE_LOGINS_FORCE_TTY: '1', NO_COLOR: undefined }, []],
    ['a pipe', 'none', { NO_COLOR: undefined }, []],
    ['NO_COLOR at a terminal', 'none', { DOCSPACE_LOGINS_FORCE_TTY: '1', NO_COLOR: '1' }, []],
    ['--no-color at a terminal', 'none', { DOCSPACE_LOGINS_FORCE_TTY: '1', NO_COLOR: undefined }, ['--no-color']],
    ['FORCE_COLOR in a pipe', 'colour', { NO_COLOR: undefined, FORCE_COLOR: '1' }, []],
  ])('%s: %s', async (_what, expected, env, extra) => {
    const r = await cli([...args, ...extra], { ...home(), ...env });
    expect(r.code).toBe(0);
    if (expected === 'colour') {
      expect(r.stdout).toContain(`${ESC}[1mDate${ESC}[22m`);
      expect(r.stdout).toMatch(/\u001b\[32msuccess\u001b\[39m/);
    } else {
      expect(r.stdout).not.toContain(ESC);
    }
  });

  it('a file never gets colour, even with FORCE_COLOR', async () => {
    const file = join(dir, 'events.txt');
    const r = await terminal(['events', '--demo', '--since', '3d', '--limit', '5', '-q', '--output', file], { NO_COLOR: undefined, FORCE_COLOR: '1' });
    expect(r.code).toBe(0);
    expect(readFileSync(file, 'utf8')).not.toContain(ESC);
  });
});

describe('times', () => {
  it('CSV and tables show the event at its own offset; JSON has ISO UTC', async () => {
    // The demo portal's newest event happens "now" at each start: the others are compared by id.
    const json = JSON.parse((await piped(['events', '--demo', '--since', '3d', '--limit', '5', '-q', '--json'])).stdout) as Array<{
      id: number;
      date: string;
      localDate: string;
    }>;
    for (const e of json) expect(e.date).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    const local = new Map(json.map((e) => [String(e.id), e.localDate]));
    // Each run starts its own demo portal a moment later: read more rows so the same ids are in both.
    const csv = parse((await piped(['events', '--demo', '--since', '3d', '--limit', '20', '-q', '--format', 'csv'])).stdout, {
      columns: true,
    }) as Array<Record<string, string>>;
    const both = csv.slice(1).filter((r) => local.has(r.ID) && r.ID !== String(json[0].id));
    expect(both.length).toBeGreaterThanOrEqual(3);
    for (const r of both) expect(r.Date).toBe(local.get(r.ID));
    expect(csv[0].Date).toMatch(/(Z|[+-]\d\d:\d\d)$/);
    const table = await terminal(['events', '--demo', '--since', '3d', '--limit', '5', '-q'], {}, 120);
    expect(table.stdout).toContain(json[1].localDate);
  });

  it('status and users tables say "… ago" at a terminal, and ISO times in a pipe', async () => {
    const tty = await terminal(['status', '--db', db, '-q'], {}, 120);
    expect(tty.stdout).toMatch(/(\d+ (min|h|d) ago|just now) \(/);
    const pipe = await piped(['status', '--db', db, '-q', '--format', 'table']);
    expect(pipe.stdout).not.toMatch(/ ago|just now/);
    expect(pipe.stdout).toMatch(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
    const users = await terminal(['users', '--demo', '--details', '--since', '7d', '-q'], {}, 120);
    expect(users.stdout).toMatch(/ ago|just now/);
  });

  it('alerts list at a terminal says when as the other tables do ("… ago"), not UTC with milliseconds', async () => {
    const tty = await terminal(['alerts', 'list', '--db', alertsDb, '-q'], {}, 120);
    const [header, row] = lines(tty.stdout);
    expect(header).toMatch(/^Created\s/);
    expect(row).toMatch(/^(\d+ (min|h|d) ago|just now)\s/);
    expect(tty.stdout).not.toMatch(/\d\d:\d\d:\d\d\.\d{3}Z/);
    const csv = parse((await piped(['alerts', 'list', '--db', alertsDb, '--format', 'csv'])).stdout, { columns: true }) as Array<Record<string, string>>;
    expect(csv[0].Created).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('alerts list never cuts an alert id, and alerts show takes it whole or by a unique prefix', async () => {
    const [alert] = JSON.parse((await piped(['alerts', 'list', '--db', alertsDb, '--format', 'json'])).stdout) as Array<{ id: string }>;
    expect(alert.id.length).toBeGreaterThan(48);
    const tty = await terminal(['alerts', 'list', '--db', alertsDb, '-q'], {}, 100);
    expect(tty.stdout).toContain(alert.id);
    for (const id of [alert.id, alert.id.slice(0, 12)]) {
      const show = await piped(['alerts', 'show', id, '--db', alertsDb]);
      expect(show.code, show.stderr).toBe(0);
      expect(JSON.parse(show.stdout)).toMatchObject({ data: { alert: { id: alert.id } } });
    }
    const none = await piped(['alerts', 'show', 'no-such-alert', '--db', alertsDb]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No alert "no-such-alert"');
  });

  it('status at 120 columns cuts no date: coverage reads "… ago" at a terminal', async () => {
    const tty = await terminal(['status', '--db', db, '-q'], {}, 120);
    const [header, row] = lines(tty.stdout);
    expect(header).toMatch(/Covered from\s+Covered to/);
    expect(row).not.toContain('…');
    // Events, then the two coverage ends, each "N d ago" / "N h ago" / "just now".
    expect(row).toMatch(/\d+\s+(\d+ (min|h|d) ago|just now)\s+(\d+ (min|h|d) ago|just now)\s/);
  });
});

describe('around the rows', () => {
  it('at a terminal a closing line on stderr says how many events were shown', async () => {
    const r = await terminal(['events', '--demo', '--since', '3d', '--limit', '7']);
    expect(r.stderr).toMatch(/^7 events shown$/m);
    const pipe = await piped(['events', '--demo', '--since', '3d', '--limit', '7']);
    expect(pipe.stderr).not.toMatch(/shown/);
  });

  it('an empty result says "no events matched" instead of a bare header', async () => {
    const r = await terminal(['events', '--demo', '--since', '2001-01-01', '--until', '2001-01-02']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^no events matched$/m);
  });

  it('--output FILE ends with "wrote N events to FILE"', async () => {
    const file = join(dir, 'out.csv');
    const r = await piped(['events', '--demo', '--since', '3d', '--limit', '6', '--output', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote 6 events to ${file}`);
    expect(parse(readFileSync(file, 'utf8'), { columns: true })).toHaveLength(6);
  });

  it('users closes the same way: "no users matched" for an empty period, "wrote N users to FILE"', async () => {
    const empty = await terminal(['users', '--archive', '--demo', '--db', db, '--since', '2020-01-01', '--until', '2020-01-02']);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toBe('');
    expect(empty.stderr).toMatch(/^no users matched$/m);
    const file = join(dir, 'users.csv');
    const r = await piped(['users', '--archive', '--demo', '--db', db, '--since', '7d', '--details', '--output', file]);
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as unknown[];
    expect(rows.length).toBeGreaterThan(1);
    expect(r.stderr).toContain(`wrote ${rows.length} users to ${file}`);
  });

  it('a report written to a file says what it wrote', async () => {
    const file = join(dir, 'report-users.csv');
    const r = await piped(['report', 'users', '--demo', '--db', db, '--since', 'all', '--output', file]);
    expect(r.code).toBe(0);
    const rows = parse(readFileSync(file, 'utf8'), { columns: true }) as unknown[];
    expect(rows.length).toBeGreaterThan(1);
    expect(r.stderr).toContain(`wrote ${rows.length} rows to ${file}`);
    const summary = await piped(['report', 'summary', '--demo', '--db', db, '--output', join(dir, 'summary.json')]);
    expect(summary.stderr).toContain(`wrote the summary to ${join(dir, 'summary.json')}`);
  });

  it('an export from the archive says what it wrote too', async () => {
    const file = join(dir, 'archive.csv');
    const r = await piped(['events', '--archive', '--demo', '--db', db, '--limit', '25', '--output', file]);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`wrote 25 events to ${file}`);
    expect(parse(readFileSync(file, 'utf8'), { columns: true })).toHaveLength(25);
  });

  it('a table at a terminal goes through the pager, and only there', async () => {
    const pager = join(dir, 'pager.mjs');
    writeFileSync(
      pager,
      "let s = ''; process.stdin.on('data', (d) => (s += d)); process.stdin.on('end', () => process.stdout.write(`[paged by ${process.env.LESS}]\\n${s}`));\n",
    );
    const env = { DOCSPACE_LOGINS_PAGER: `${process.execPath} ${pager}` };
    const tty = await terminal(['events', '--demo', '--since', '3d', '--limit', '5', '-q'], env);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toMatch(/^\[paged by FRX\]\n.*Date\s+User/);
    const pipe = await piped(['events', '--demo', '--since', '3d', '--limit', '5', '-q', '--format', 'table'], env);
    expect(pipe.stdout).not.toContain('[paged');
    const json = await terminal(['events', '--demo', '--since', '3d', '--limit', '5', '-q', '--json'], env);
    expect(json.stdout).not.toContain('[paged');
  });
});

describe('--json with fields', () => {
  it('--json id,date,login prints only those fields', async () => {
    const r = await piped(['events', '--demo', '--since', '3d', '--limit', '3', '-q', '--json', 'id,date,login']);
    expect(r.code).toBe(0);
    const rows = JSON.parse(r.stdout) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(3);
    for (const row of rows) expect(Object.keys(row)).toEqual(['id', 'date', 'login']);
  });

  it('an unknown field is a usage error (exit 2) that lists the valid names', async () => {
    const r = await piped(['events', '--demo', '--since', '3d', '--limit', '3', '-q', '--json', 'id,when']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/Unknown JSON field "when"/);
    for (const f of ['localDate', 'userId', 'anonymous', 'country']) expect(r.stderr).toMatch(new RegExp(`^  ${f}$`, 'm'));
  });

  it('works for status and reports too', async () => {
    const status = JSON.parse((await piped(['status', '--db', db, '--json', 'portal,events'])).stdout);
    expect(Object.keys(status[0])).toEqual(['portal', 'events']);
    const ips = JSON.parse((await piped(['report', 'ips', '--demo', '--db', db, '-q', '--json', 'ip,events'])).stdout);
    expect(Object.keys(ips[0])).toEqual(['ip', 'events']);
  });
});

describe('usage', () => {
  it.each([
    ['--json with --format csv', ['events', '--demo', '--json', '--format', 'csv'], /--json and --format csv/],
    ['--excel with --format json', ['events', '--demo', '--excel', '--format', 'json'], /--excel/],
    ['--demo with --portal', ['events', '--demo', '--portal', 'https://acme.example.com'], /'--demo' cannot be used with option '--portal/],
    ['--demo with --profile', ['status', '--demo', '--profile', 'acme', '--db', 'x.sqlite'], /'--demo' cannot be used with option '--profile/],
    ['--wide with --columns', ['events', '--demo', '--wide', '--columns', 'ip'], /--wide/],
    ['a mistyped report', ['report', 'sumary', '--db', 'x.sqlite'], /Did you mean "summary"\?/],
    ['a mistyped --kind', ['events', '--demo', '--kind', 'failur'], /Did you mean "failure"\?/],
  ])('%s is a usage error', async (_what, args, message) => {
    const r = await piped(args);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it.each([
    ['sql', ['"table"', '"json"', '"ndjson"', '"csv"', '"xlsx"'], ['"ecs"']],
    ['status', ['"table"', '"json"', '"ndjson"', '"csv"'], ['"xlsx"', '"ecs"']],
    ['report', ['"table"', '"csv"', '"xlsx"'], ['"ecs"']],
  ])('%s --help offers only the formats it accepts', async (command, offered, absent) => {
    const r = await piped([command, '--help']);
    const format = /--format <format>[^\n]*\n?[^\n]*/.exec(r.stdout)?.[0] ?? '';
    for (const f of offered) expect(format).toContain(f);
    for (const f of absent) expect(format).not.toContain(f);
  });

  it('users --format table is a table, not a list of ids', async () => {
    const r = await terminal(['users', '--demo', '--format', 'table', '-q'], {}, 120);
    expect(r.code).toBe(0);
    const [header, first] = lines(r.stdout);
    expect(header).toMatch(/Name\s+Email\s+Last seen/);
    expect(first.split(/\s{2,}/).length).toBeGreaterThan(2);
  });
});

describe('--since all', () => {
  /** How each command that takes --since is run here: over the archive, or the demo portal. */
  const runs: Record<string, string[]> = {
    users: ['users', '--demo'],
    events: ['events', '--archive', '--demo', '--db', 'DB', '--limit', '3'],
    detect: ['detect', '--demo', '--db', 'DB', '--format', 'json'],
    'findings list': ['findings', 'list', '--demo', '--db', 'DB', '--format', 'json'],
    report: ['report', 'summary', '--demo', '--db', 'DB', '--format', 'json'],
    'alerts list': ['alerts', 'list', '--db', 'DB', '--format', 'json'],
    'alerts replay': ['alerts', 'replay', '--db', 'DB'],
  };

  it('every command that takes --since is run here (the list follows the command tree)', async () => {
    const bash = (await piped(['completion', 'bash'])).stdout;
    const taking = [...bash.matchAll(/^\s+"([^"]+)"\) opts="([^"]*)"/gm)].filter((m) => m[2].split(' ').includes('--since')).map((m) => m[1]);
    expect(taking.sort()).toEqual(Object.keys(runs).sort());
  });

  it.each(Object.entries(runs))('%s --since all reads everything, not a usage error', async (_name, args) => {
    const r = await piped([...args.map((a) => (a === 'DB' ? db : a)), '--since', 'all', '-q']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });
});

describe('shell completion', () => {
  /** What bash offers after `words` (the last one being completed). */
  function complete(script: string, words: string[]): string[] {
    const file = join(dir, 'completion.bash');
    writeFileSync(file, script);
    const quoted = words.map((w) => `'${w}'`).join(' ');
    const r = spawnSync(
      'bash',
      ['-c', `source ${file}; COMP_WORDS=(${quoted}); COMP_CWORD=${words.length - 1}; _docspace_logins; printf '%s\\n' "\${COMPREPLY[@]}"`],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    return r.stdout.split('\n').filter(Boolean);
  }

  it('bash completes commands, flags, flag values and report names from the command tree', async () => {
    const r = await piped(['completion', 'bash']);
    expect(r.code).toBe(0);
    expect(complete(r.stdout, ['docspace-logins', 'ev'])).toEqual(['events']);
    expect(complete(r.stdout, ['docspace-logins', 'events', '--col'])).toEqual(['--columns']);
    expect(complete(r.stdout, ['docspace-logins', 'status', '--format', ''])).toEqual(['table', 'json', 'ndjson', 'csv']);
    expect(complete(r.stdout, ['docspace-logins', 'report', '--since', '30d', 'fa'])).toEqual(['failures']);
    expect(complete(r.stdout, ['docspace-logins', 'profiles', ''])).toEqual(expect.arrayContaining(['add', 'list', 'remove']));
  });

  it('zsh and fish scripts cover the same commands and flags', async () => {
    const zsh = (await piped(['completion', 'zsh'])).stdout;
    expect(zsh).toMatch(/^#compdef docspace-logins/);
    expect(zsh).toContain('("events") opts=(');
    expect(zsh).toContain('compdef _docspace_logins docspace-logins');
    const fish = (await piped(['completion', 'fish'])).stdout;
    expect(fish).toContain("complete -c docspace-logins -n '__fish_seen_subcommand_from events' -l kind -r");
    expect(fish).toContain("-l format -r -a 'table json ndjson csv'");
  });

  it('an unknown shell is a usage error that names the ones there are', async () => {
    const r = await piped(['completion', 'tcsh']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/bash, zsh, fish/);
  });
});
