/**
 * Progress on stderr for long work: a bar with an ETA when the total is known, a counter and
 * rate when not. Disabled (a no-op) unless stderr is a terminal, so pipes and CI stay quiet.
 */
import { createRequire } from 'node:module';
import type cliProgressTypes from 'cli-progress';

// Loaded on first use: only a terminal shows progress, and cli-progress pulls in readline,
// which a piped or scripted run (an incremental sync every few minutes) need not pay for.
const load = createRequire(import.meta.url);
let cliProgress: typeof cliProgressTypes | undefined;

export interface Progress {
  update(done: number, total?: number, extra?: { events?: number }): void;
  /** What the task is doing now that the count alone does not say (shown after it, until the next stage). */
  stage(text: string): void;
  stop(): void;
}

export function createProgress(opts: {
  stream: NodeJS.WritableStream;
  enabled: boolean;
  label: string;
}): Progress {
  if (!opts.enabled) return { update() {}, stage() {}, stop() {} };
  let bar: cliProgressTypes.SingleBar | undefined;
  let knownTotal: number | undefined;
  return {
    update(done, total, extra) {
      if (!bar) {
        knownTotal = total;
        cliProgress ??= load('cli-progress') as typeof cliProgressTypes;
        bar = new cliProgress.SingleBar(
          {
            stream: opts.stream as NodeJS.WriteStream,
            format:
              total !== undefined
                ? staged(`${opts.label} [{bar}] {percentage}% | {events} events`, ' | ETA {eta_formatted}')
                : staged(`${opts.label} | {events} events`, ''),
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, 0, { events: 0, stage: '' });
      }
      if (total !== undefined && total !== knownTotal) {
        knownTotal = total;
        bar.setTotal(total);
      }
      bar.update(done, { events: extra?.events ?? done });
    },
    stage(text) {
      if (!bar) return;
      bar.update({ stage: text });
      // Drawn now: the bar redraws on its own only as the count moves, and a stage's count does not.
      bar.render();
    },
    stop() {
      bar?.stop();
    },
  };
}

/**
 * A bar's format: `line` then `tail` (the ETA) while no stage is set, `line` then the stage once
 * one is (an ETA at 100% would say nothing of the work left).
 */
function staged(line: string, tail: string): cliProgressTypes.Options['format'] {
  return (options, params, payload: { stage?: string }) =>
    cliProgress!.Format.Formatter({ ...options, format: `${line}${payload.stage ? ` | ${payload.stage}` : tail}` }, params, payload);
}

/**
 * One line per task on the same terminal (`sync --all`: one per portal), each with the bar or
 * counter of `createProgress`. Disabled like it unless stderr is a terminal.
 */
export function createMultiProgress(opts: { stream: NodeJS.WritableStream; enabled: boolean }): {
  line(label: string): Progress;
  stop(): void;
} {
  if (!opts.enabled) return { line: () => ({ update() {}, stage() {}, stop() {} }), stop() {} };
  cliProgress ??= load('cli-progress') as typeof cliProgressTypes;
  const multi = new cliProgress.MultiBar(
    {
      stream: opts.stream as NodeJS.WriteStream,
      format: staged('{label} [{bar}] {percentage}% | {events} events', ''),
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  return {
    line(label) {
      const bar = multi.create(1, 0, { label, events: 0 });
      return {
        update(done, total, extra) {
          if (total !== undefined) bar.setTotal(total);
          bar.update(done, { label, events: extra?.events ?? done });
        },
        stage(text) {
          bar.update({ label, stage: text });
        },
        stop() {
          bar.update(bar.getTotal(), { label });
        },
      };
    },
    stop() {
      multi.stop();
    },
  };
}
