/** What a command may touch of the outside world; injected so tests can run commands in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/**
 * Whether a person reads stdout: a terminal, or DOCSPACE_LOGINS_FORCE_TTY=1 (tests and
 * `script` recordings), which turns on every terminal manner but progress bars.
 */
export function isTerminal(io: CliIo): boolean {
  return Boolean(io.stdout.isTTY) || forced(io);
}

/** Whether stderr reaches a person (for closing lines such as "42 events shown"). */
export function stderrIsTerminal(io: CliIo): boolean {
  return Boolean(io.stderr.isTTY) || forced(io);
}

const forced = (io: CliIo) => io.env.DOCSPACE_LOGINS_FORCE_TTY === '1';

/**
 * How wide a table may be: the terminal's own width, else COLUMNS, else 80 on a (forced)
 * terminal. Undefined for a pipe or a file, whose lines are not wrapped by anyone.
 */
export function terminalWidth(io: CliIo): number | undefined {
  if (io.stdout.isTTY && io.stdout.columns) return io.stdout.columns;
  const env = Number(io.env.COLUMNS);
  if (Number.isInteger(env) && env > 0) return env;
  return isTerminal(io) ? 80 : undefined;
}

/** Diagnostics on stderr; `redact` is applied to every line. */
export class Reporter {
  redact: (s: string) => string = (s) => s;
  constructor(
    private readonly io: CliIo,
    readonly quiet = false,
    readonly debugEnabled = false,
  ) {}

  warn(message: string): void {
    this.io.stderr.write(`warning: ${this.redact(message)}\n`);
  }

  note(message: string): void {
    if (!this.quiet) this.io.stderr.write(`${this.redact(message)}\n`);
  }

  debug(message: string): void {
    if (this.debugEnabled) this.io.stderr.write(`debug: ${this.redact(message)}\n`);
  }

  get interactive(): boolean {
    return Boolean(this.io.stderr.isTTY) && !this.quiet;
  }
}
