// Shared pieces of the benchmarks: an emulator in a child process, measured child runs.
import { spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CLI = fileURLToPath(new URL('../dist/bin/main.js', import.meta.url));
const MAXRSS = fileURLToPath(new URL('./maxrss.cjs', import.meta.url));

/** Start `docspace-logins emulator` in its own process (so its memory is not counted). */
export async function emulator(args) {
  const child = spawn(process.execPath, [CLI, 'emulator', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
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
    async stats() {
      return (await fetch(`${url}/__emulator/stats`)).json();
    },
    async close() {
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}

/**
 * Run a node script or the CLI, measuring wall time and peak RSS; stdout is discarded, kept, or
 * written to `stdoutFile` (as a user's redirect would: no reader competing for the CPU).
 */
export async function measure(args, { env = {}, keepStdout = false, stdoutFile } = {}) {
  const started = process.hrtime.bigint();
  // The CLI runs as users run it: the bin itself, so the V8 flags of its shebang apply.
  const [command, argv] = args[0] === CLI ? [CLI, args.slice(1)] : [process.execPath, args];
  const child = spawn(command, argv, {
    stdio: ['ignore', stdoutFile ? openSync(stdoutFile, 'w') : keepStdout ? 'pipe' : 'ignore', 'pipe'],
    env: { ...process.env, ...env, NODE_OPTIONS: `--require ${MAXRSS}` },
  });
  let stderr = '';
  let stdout = '';
  const bytes = 0;
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
  if (code !== 0) throw new Error(`${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { ms, rssMb: rssKb / 1024, stdout, stderr, bytes };
}

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

export const fmt = (n, digits = 0) =>
  Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
