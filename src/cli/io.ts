/** What a command may touch of the outside world; injected so tests can run commands in-process. */
export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

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
