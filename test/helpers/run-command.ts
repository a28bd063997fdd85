/** Run a CLI command in-process against captured stdout/stderr, configured for one emulator. */
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type { RunningEmulator } from '../../src/index.js';
import { type CliIo, Reporter } from '../../src/cli/io.js';

class Capture extends Writable {
  chunks: Buffer[] = [];
  override _write(chunk: Buffer, _enc: string, cb: () => void) {
    this.chunks.push(Buffer.from(chunk));
    cb();
  }
  get text() {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface CommandRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** `emu` configures the portal (DOCSPACE_URL and its key); `dir` is the run's HOME. */
export async function runCommand(
  emu: RunningEmulator | null,
  dir: string,
  command: (io: CliIo, reporter: Reporter) => Promise<number>,
): Promise<CommandRun> {
  const stdout = new Capture();
  const stderr = new Capture();
  const env: NodeJS.ProcessEnv = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), XDG_DATA_HOME: join(dir, 'data') };
  if (emu) Object.assign(env, { DOCSPACE_URL: emu.url, DOCSPACE_API_KEY: emu.apiKey });
  const io: CliIo = { stdout, stderr, env };
  const code = await command(io, new Reporter(io, true));
  return { code, stdout: stdout.text, stderr: stderr.text };
}
