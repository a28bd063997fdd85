// Child processes of the benchmarks: the emulator in a process of its own, and measured runs.
import { spawn, spawnSync } from 'node:child_process';
import { openSync } from 'node:fs';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const OWN_CLI = fileURLToPath(new URL('../../dist/bin/main.js', import.meta.url));
/**
 * The CLI being measured: this checkout's build, or for an A/B run another build's
 * `dist/bin/main.js` named by BENCH_CLI (same harness, same baselines, same machine, same hour).
 * The emulator is always this checkout's, so both sides read the same portal.
 */
export const CLI = process.env.BENCH_CLI ? resolve(process.env.BENCH_CLI) : OWN_CLI;
const MAXRSS = fileURLToPath(new URL('./maxrss.cjs', import.meta.url));

/** The path of a helper script in bench/tasks. */
export const task = (name) => fileURLToPath(new URL(`../tasks/${name}`, import.meta.url));

/**
 * Start `docspace-logins emulator` in its own process, so its memory and CPU are not counted
 * against the process being measured.
 */
export async function emulator(args) {
  const child = spawn(process.execPath, [OWN_CLI, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let text = '';
  child.stdout.setEncoding('utf8');
  const ready = new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => {
      text += d;
      const url = /listening on (\S+)/.exec(text)?.[1];
      const key = /API key: (\S+)/.exec(text)?.[1];
      if (url && key) resolve({ url, key });
    });
    child.once('exit', (code) => reject(new Error(`emulator exited with ${code}`)));
  });
  const { url, key } = await ready;
  return {
    url,
    key,
    env: { DOCSPACE_URL: url, DOCSPACE_API_KEY: key },
    async stats() {
      return (await fetch(`${url}/__emulator/stats`)).json();
    },
    async resetStats() {
      await fetch(`${url}/__emulator/reset-stats`, { method: 'POST' });
    },
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/**
 * Run a node script, the CLI, or (with `command`) any program, measuring wall time and, for
 * Node processes, peak RSS. stdout is discarded, kept, or written to `stdoutFile` (as a user's
 * redirect would: no reader in this process competing for the CPU).
 */
export async function measure(args, { env = {}, keepStdout = false, stdoutFile, command } = {}) {
  // The CLI runs as users run it: the bin itself, so the V8 flags of its shebang apply.
  const [file, argv] = command ? [command, args] : args[0] === CLI ? [CLI, args.slice(1)] : [process.execPath, args];
  const started = process.hrtime.bigint();
  const child = spawn(file, argv, {
    stdio: ['ignore', stdoutFile ? openSync(stdoutFile, 'w') : keepStdout ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, ...env, NODE_OPTIONS: `--require ${MAXRSS}` },
  });
  let stderr = '';
  let stdout = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  if (keepStdout) {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (d) => {
      stdout += d;
    });
  }
  const [code] = await once(child, 'exit');
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const rssKb = Number(/__MAXRSS_KB__ (\d+)/.exec(stderr)?.[1] ?? Number.NaN);
  if (code !== 0) throw new Error(`${[file, ...argv].join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { ms, rssMb: rssKb / 1024, stdout, stderr };
}

/** Run a helper script that prints one JSON object on stdout, and return that object. */
export async function runTask(name, args, opts = {}) {
  const r = await measure([task(name), ...args], { ...opts, keepStdout: true });
  return { ...JSON.parse(r.stdout.trim().split('\n').pop()), wallMs: r.ms, rssMb: r.rssMb };
}

/** Whether a program answers `--version` (for optional baselines such as Debian's sqlite3). */
export function hasProgram(name) {
  const r = spawnSync(name, ['--version'], { stdio: 'ignore' });
  return !r.error && r.status === 0;
}
