/**
 * Progress on stderr for long work: a bar with an ETA when the total is known, a counter and
 * rate when not. Disabled (a no-op) unless stderr is a terminal, so pipes and CI stay quiet.
 */
import cliProgress from 'cli-progress';

export interface Progress {
  update(done: number, total?: number, extra?: { events?: number }): void;
  stop(): void;
}

export function createProgress(opts: {
  stream: NodeJS.WritableStream;
  enabled: boolean;
  label: string;
}): Progress {
  if (!opts.enabled) return { update() {}, stop() {} };
  let bar: cliProgress.SingleBar | undefined;
  let knownTotal: number | undefined;
  return {
    update(done, total, extra) {
      if (!bar) {
        knownTotal = total;
        bar = new cliProgress.SingleBar(
          {
            stream: opts.stream as NodeJS.WriteStream,
            format:
              total !== undefined
                ? `${opts.label} [{bar}] {percentage}% | {events} events | ETA {eta_formatted}`
                : `${opts.label} | {events} events`,
            hideCursor: true,
            clearOnComplete: true,
            etaBuffer: 50,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(total ?? 0, 0, { events: 0 });
      }
      if (total !== undefined && total !== knownTotal) {
        knownTotal = total;
        bar.setTotal(total);
      }
      bar.update(done, { events: extra?.events ?? done });
    },
    stop() {
      bar?.stop();
    },
  };
}
