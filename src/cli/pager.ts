/**
 * Long tables on a terminal go through a pager, as git and gh do: DOCSPACE_LOGINS_PAGER, else
 * PAGER, else `less -FRX` (which exits at once when everything fits on one screen). An empty
 * value or `cat` means no pager.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';
import type { CliIo } from './io.js';

export interface Pager {
  sink: NodeJS.WritableStream;
  /** Close its input and wait until the person has quit it. */
  close(): Promise<void>;
}

export function pagerCommand(env: NodeJS.ProcessEnv): string | undefined {
  const command = (env.DOCSPACE_LOGINS_PAGER ?? env.PAGER ?? 'less -FRX').trim();
  return command === '' || command === 'cat' ? undefined : command;
}

/** Whether the program a command line starts with can be found, so a missing `less` is no error. */
function onPath(command: string, env: NodeJS.ProcessEnv): boolean {
  const program = command.split(/\s+/)[0];
  if (program.includes('/')) return isAbsolute(program) ? existsSync(program) : true;
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, program)));
}

export function startPager(io: CliIo): Pager | undefined {
  const command = pagerCommand(io.env);
  if (!command || !onPath(command, io.env)) return undefined;
  const direct = io.stdout === process.stdout;
  const child = spawn(command, {
    shell: true,
    stdio: ['pipe', direct ? 'inherit' : 'pipe', 'inherit'],
    // Colour codes pass through less (R); it leaves the screen as it was (X) and exits when one screen holds it all (F).
    env: { ...io.env, LESS: io.env.LESS ?? 'FRX', LV: io.env.LV ?? '-c' },
  });
  if (!direct) child.stdout?.pipe(io.stdout, { end: false });
  const exited = once(child, 'exit');
  const stdin = child.stdin!;
  // Quitting the pager early closes its input: the next write stops the command (as EPIPE).
  stdin.on('error', () => {});
  return {
    sink: stdin,
    async close() {
      stdin.end();
      await exited;
    },
  };
}
