/**
 * Colour for tables on a terminal: when to use it, and the few styles a table needs. SGR codes
 * are written by hand: four styles do not justify a dependency.
 */

/** What a cell's colour says about its row. */
export type Tone = 'header' | 'success' | 'failure' | 'alert' | 'dim';

export interface ColorChoice {
  /** The stream the table goes to. */
  stream: { isTTY?: boolean };
  env?: NodeJS.ProcessEnv;
  /** `--no-color` sets false; `--color` is not a flag, FORCE_COLOR is. */
  flag?: boolean;
}

/**
 * Colour is off when asked (`--no-color`, `NO_COLOR`), on when forced (`FORCE_COLOR` other than
 * `0`), and otherwise only on a terminal, so a pipe or a file never gets escape codes.
 */
export function colorEnabled({ stream, env = process.env, flag }: ColorChoice): boolean {
  if (flag === false) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== '0' && env.FORCE_COLOR !== 'false';
  return Boolean(stream.isTTY);
}

const SGR: Record<Tone, [string, string]> = {
  header: ['\u001b[1m', '\u001b[22m'],
  success: ['\u001b[32m', '\u001b[39m'],
  failure: ['\u001b[31m', '\u001b[39m'],
  // Lockouts and anonymous failures: someone guessing, worth catching the eye before plain failures.
  alert: ['\u001b[1;31m', '\u001b[22;39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
};

export function paint(text: string, tone: Tone | undefined): string {
  if (!tone || !text) return text;
  const [on, off] = SGR[tone];
  return `${on}${text}${off}`;
}
