import { createWriter, eventColumns, eventJson, toEcs } from '../../output/index.js';
import type { ArchiveFlags } from '../archive.js';
import type { ConnectionFlags } from '../context.js';
import { type HistoryFlags, parseHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, openOutput } from '../output.js';
import { openEventSource } from '../source.js';

export type EventsFlags = ConnectionFlags & ArchiveFlags & HistoryFlags & OutputFlags & { archive?: boolean };

/** `docspace-logins events`: the filtered login history, streamed to the chosen format. */
export async function eventsCommand(flags: EventsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const parsed = parseHistoryFlags(flags);
  const out = await openOutput(flags, io);
  try {
    const source = await openEventSource(flags, parsed, io, reporter, { limit: parsed.limit });
    try {
      const writer = createWriter(out.format, {
        columns: eventColumns,
        sink: out.sink,
        json: eventJson,
        ecs: (e) => toEcs(e, { portal: source.portal }),
        isTTY: out.isTTY,
        excel: flags.excel,
      });
      for await (const e of source.events) await writer.write(e);
      await writer.end();
      return source.finish();
    } finally {
      await source.close();
    }
  } finally {
    await out.close();
  }
}
