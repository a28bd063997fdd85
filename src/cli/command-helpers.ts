/**
 * What run.ts hands each command's register function (report, detect, respond, serve, watch):
 * its option builders and the action wrapper, so every command is declared alike.
 */
import type { Command } from 'commander';
import type { CliIo, Reporter } from './io.js';

export interface CommandHelpers {
  connectionOptions(cmd: Command): Command;
  /** `--format` and friends; `formats` narrows the choices to what the command writes. */
  outputOptions(cmd: Command, formats?: readonly string[]): Command;
  commonOptions(cmd: Command): Command;
  action<F extends { debug?: boolean; quiet?: boolean }>(
    fn: (flags: F, io: CliIo, r: Reporter) => Promise<number>,
  ): (flags: F) => Promise<void>;
}

/** Commander's collector for a repeatable option: every value, in order. */
export const collect = (value: string, previous: string[] = []) => [...previous, value];
