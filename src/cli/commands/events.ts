import { createWriter, eventColumns, eventJson, toEcs } from '../../output/index.js';
import { type ConnectionFlags, connect } from '../context.js';
import { type HistoryFlags, parseHistoryFlags, resolveUserFilter } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, openOutput } from '../output.js';
import { startRead } from '../read.js';

export type EventsFlags = ConnectionFlags & HistoryFlags & OutputFlags;

/** `docspace-logins events`: the filtered login history, streamed to the chosen format. */
export async function eventsCommand(flags: EventsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const parsed = parseHistoryFlags(flags);
  const out = await openOutput(flags, io);
  const conn = await connect(flags, reporter, io.env);
  try {
    await resolveUserFilter(conn.client, parsed.users, parsed.filter);
    const read = startRead(conn.client, parsed.filter, reporter, { limit: parsed.limit });
    const writer = createWriter(out.format, {
      columns: eventColumns,
      sink: out.sink,
      json: eventJson,
      ecs: (e) => toEcs(e, { portal: conn.client.portal }),
      isTTY: out.isTTY,
      excel: flags.excel,
    });
    for await (const e of read.events) await writer.write(e);
    await writer.end();
    const { summary, exitCode } = read.finish();
    reporter.debug(
      `read ${summary.scanned ?? summary.matched ?? 0} events in ${conn.client.stats.requests} requests`,
    );
    return exitCode;
  } finally {
    await out.close();
    await conn.close();
  }
}
