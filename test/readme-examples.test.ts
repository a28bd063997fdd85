/**
 * Every example in README.md runs as written.
 *
 * What is run: each line of a ```sh, ```bash or ```shell block (a ```console block: the lines
 * starting with `$ `), lines ending in `\` joined, through bash with `docspace-logins` on the PATH
 * (the bundle in dist/; `npx docspace-logins` means the same), and each statement of a ```sql block
 * through `docspace-logins sql`. Other blocks (ts, plain text) are not run.
 *
 * Where: each block gets its own HOME and XDG folders and working directory, with one profile of
 * an emulator configured (so `sync --all` has something to sync). An example with `--demo` runs
 * with nothing else configured; any other example runs against an emulator of the demo portal
 * (same seed, so the same members) through DOCSPACE_URL/DOCSPACE_API_KEY, and with
 * DOCSPACE_LOGINS_DB naming an archive already synced from it.
 *
 * What must hold: the exit code is 0 (or the one the example documents), stderr has no stack trace
 * or "internal error", and the example printed something or wrote a file.
 *
 * Markers, in a comment of the README itself so that a reader sees them too:
 * - `[not run: REASON]` in a line's comment: that line is not run (the test lists it as skipped
 *   with the reason); as a comment line of its own in a block, the whole block is not run.
 *   Use it for what needs a real portal, a PostgreSQL server, a systemd host or the registry.
 * - `[exit N]` in a line's comment: the example documents exit code N.
 * - Examples that run until stopped (`emulator`, `--every`, `watch`, `serve`, or `[until stopped]`
 *   in the comment) are started, awaited until their first line of output, stopped with SIGINT,
 *   and must then exit 0 (Ctrl-C is how the README says to stop them).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_SEED } from '../src/cli/context.js';
import { type RunningEmulator, startEmulator } from '../src/index.js';
import { syncInto } from './helpers/archive.js';
import { CLI, cleanEnv } from './helpers/cli.js';

interface Example {
  /** 1-based line in README.md. */
  line: number;
  /** A shell command, or for `sql` blocks one SQL statement. */
  command: string;
  kind: 'sh' | 'sql';
  /** Index of the block: examples of one block share a HOME and working directory. */
  block: number;
  /** Why it is not run, when the README says so. */
  skip?: string;
  exit: number;
  longRunning: boolean;
}

const SHELL_LANGS = new Set(['sh', 'bash', 'shell', 'console']);
const NOT_RUN = /\[not run:\s*([^\]]+)\]/i;
const EXIT = /\[exit (\d+)\]/i;
const LONG_RUNNING = [/\bdocspace-logins\s+(emulator|watch|serve)\b/, /\s--every\b/, /\[until stopped\]/i];

/** Split a shell line into the command and its trailing comment (a `#` outside quotes after a space). */
function splitComment(line: string): [string, string] {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '\\') i++;
    else if (c === '#' && (i === 0 || /\s/.test(line[i - 1]))) return [line.slice(0, i).trimEnd(), line.slice(i + 1)];
  }
  return [line.trimEnd(), ''];
}

/** The runnable examples of a Markdown document. */
function extractExamples(markdown: string): Example[] {
  const lines = markdown.split('\n');
  const out: Example[] = [];
  let block = -1;
  for (let i = 0; i < lines.length; i++) {
    const open = /^\s*(`{3,}|~{3,})\s*([\w-]*)/.exec(lines[i]);
    if (!open) continue;
    const fence = open[1];
    const lang = open[2].toLowerCase();
    const body: Array<{ line: number; text: string }> = [];
    let j = i + 1;
    while (j < lines.length && !lines[j].trim().startsWith(fence)) body.push({ line: j + 1, text: lines[j++] });
    i = j;
    block++;
    if (SHELL_LANGS.has(lang)) out.push(...shellExamples(body, block, lang === 'console'));
    else if (lang === 'sql') out.push(...sqlExamples(body, block));
  }
  return out;
}

function shellExamples(body: Array<{ line: number; text: string }>, block: number, console: boolean): Example[] {
  const out: Example[] = [];
  let blockSkip: string | undefined;
  for (let k = 0; k < body.length; k++) {
    const start = body[k].line;
    let text = body[k].text;
    if (console) {
      if (!/^\s*\$ /.test(text)) continue;
      text = text.replace(/^\s*\$ /, '');
    }
    while (/\\\s*$/.test(text) && k + 1 < body.length) text = `${text.replace(/\\\s*$/, '')} ${body[++k].text.trim()}`;
    const [command, comment] = splitComment(text);
    if (!command.trim()) {
      // A comment line of its own: `[not run: …]` there covers the whole block.
      const m = NOT_RUN.exec(comment);
      if (m) blockSkip = m[1].trim();
      continue;
    }
    out.push({
      line: start,
      command: command.trim().replace(/(^|[\s;&|(])npx docspace-logins\b/g, '$1docspace-logins'),
      kind: 'sh',
      block,
      skip: blockSkip ?? NOT_RUN.exec(comment)?.[1].trim(),
      exit: Number(EXIT.exec(comment)?.[1] ?? 0),
      longRunning: LONG_RUNNING.some((re) => re.test(text)),
    });
  }
  return out;
}

function sqlExamples(body: Array<{ line: number; text: string }>, block: number): Example[] {
  const out: Example[] = [];
  let statement = '';
  let first = 0;
  for (const { line, text } of body) {
    const code = text.replace(/--.*$/, '').trim();
    if (!code) continue;
    if (!statement) first = line;
    statement += `${statement ? ' ' : ''}${code}`;
    if (code.endsWith(';')) {
      out.push({ line: first, command: statement.replace(/;$/, ''), kind: 'sql', block, exit: 0, longRunning: false });
      statement = '';
    }
  }
  return out;
}

const README = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
const examples = extractExamples(README);

let emu: RunningEmulator;
let root: string;
let archive: string;
/** A HOME with one profile (the emulator), copied for each block. */
let templateHome: string;
let bin: string;
const blockDirs = new Map<number, string>();

beforeAll(async () => {
  emu = await startEmulator({ seed: DEMO_SEED });
  root = mkdtempSync(join(tmpdir(), 'dl-readme-'));
  archive = join(root, 'archive.sqlite');
  await syncInto(emu, archive);
  bin = join(root, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'docspace-logins'), `#!/bin/sh\nexec "${process.execPath}" "${CLI}" "$@"\n`);
  chmodSync(join(bin, 'docspace-logins'), 0o755);
  templateHome = join(root, 'home-template');
  const added = await runShell(
    `docspace-logins profiles add emulator --portal ${emu.url} --key-env EMULATOR_DOCSPACE_KEY`,
    homeEnv(templateHome, {}),
    root,
  );
  expect(added.code, added.stderr).toBe(0);
});
afterAll(async () => {
  await emu?.close();
});

function homeEnv(home: string, extra: Record<string, string>): NodeJS.ProcessEnv {
  return cleanEnv({
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_STATE_HOME: join(home, '.local', 'state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    PATH: `${bin}:${process.env.PATH ?? ''}`,
    PAGER: 'cat',
    ...extra,
  });
}

/** The block's HOME (a copy of the template) and working directory, made on first use. */
function blockDir(block: number): string {
  let dir = blockDirs.get(block);
  if (!dir) {
    dir = join(root, `block-${block}`);
    cpSync(templateHome, join(dir, 'home'), { recursive: true });
    mkdirSync(join(dir, 'cwd'));
    blockDirs.set(block, dir);
  }
  return dir;
}

function envFor(ex: Example, home: string): NodeJS.ProcessEnv {
  // `--demo` examples promise to need nothing else; the others run against the emulator.
  if (/\s--demo\b/.test(ex.command)) return homeEnv(home, {});
  return homeEnv(home, {
    DOCSPACE_URL: emu.url,
    DOCSPACE_API_KEY: emu.apiKey,
    EMULATOR_DOCSPACE_KEY: emu.apiKey,
    DOCSPACE_LOGINS_DB: archive,
  });
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

function runShell(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  return new Promise((resolve) => {
    execFile('bash', ['-c', command], { env, cwd, timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

/** Start a command that runs until stopped, wait for its first line of output, then SIGINT it. */
function runUntilReady(command: string, env: NodeJS.ProcessEnv, cwd: string): Promise<Ran> {
  return new Promise((resolve, reject) => {
    // `exec` so that the signal reaches the CLI itself, not a shell waiting for it.
    const child: ChildProcess = spawn('bash', ['-c', `exec ${command}`], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let signalled = false;
    // `serve` and `emulator` announce they are ready on stdout (their URL); notes on stderr come
    // before they have set up Ctrl-C, and a signal then would kill them instead of stopping them.
    const announcesOnStdout = /\bdocspace-logins\s+(serve|emulator)\b/.test(command);
    const ready = () => {
      if (!signalled && /\n/.test(announcesOnStdout ? stdout : stdout + stderr)) {
        signalled = true;
        child.kill('SIGINT');
      }
    };
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d;
      ready();
    });
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d;
      ready();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}

function filesIn(dir: string): Map<string, number> {
  return new Map(readdirSync(dir).map((f) => [f, statSync(join(dir, f)).size]));
}

describe('README examples', () => {
  it('finds the examples, and every skipped one says why', () => {
    expect(examples.filter((e) => e.kind === 'sh').length).toBeGreaterThan(20);
    expect(examples.filter((e) => e.kind === 'sql').length).toBeGreaterThan(0);
    for (const e of examples) if (e.skip !== undefined) expect(e.skip.length, `README:${e.line}`).toBeGreaterThan(5);
  });

  for (const ex of examples) {
    const title = `README:${ex.line} ${ex.kind === 'sql' ? `sql "${ex.command}"` : ex.command}`;
    if (ex.skip) {
      it.skip(`${title} (not run: ${ex.skip})`, () => undefined);
      continue;
    }
    it(title, async () => {
      const dir = blockDir(ex.block);
      const cwd = join(dir, 'cwd');
      const env = envFor(ex, join(dir, 'home'));
      const before = filesIn(cwd);
      const command = ex.kind === 'sql' ? `docspace-logins sql ${shellQuote(ex.command)}` : ex.command;
      const r = ex.longRunning ? await runUntilReady(command, env, cwd) : await runShell(command, env, cwd);
      expect(r.code, `exit code of ${command}\n${r.stderr}`).toBe(ex.exit);
      expect(r.stderr).not.toMatch(/internal error|\n\s+at .+:\d+:\d+/i);
      const after = filesIn(cwd);
      const wrote = [...after].some(([f, size]) => size > 0 && before.get(f) !== size);
      expect(r.stdout.trim().length > 0 || r.stderr.trim().length > 0 || wrote, `no output from ${command}`).toBe(true);
    });
  }
});

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
