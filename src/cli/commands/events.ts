import { UsageError } from '../../errors/index.js';
import { EVENT_FIELDS, eventColumns,
  portalEventColumns, eventJson, eventJsonText, toEcs } from '../../output/index.js';
import type { LoginEvent } from '../../model/event.js';
import { type ArchiveFlags, type ArchiveSelection, parseArchiveFlags } from '../archive.js';
import { type ConnectionFlags, parseConnectionFlags } from '../context.js';
import { type HistoryFlags, type ParsedHistoryFlags, parseHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import type { RowWriter } from '../../output/writer.js';
import { type OpenOutput, type OutputFlags, type OutputOptions, openOutput, parseOutputFlags } from '../output.js';
import { type EventSource, type EventWithOriginal, openEventSource, type ReadFrom } from '../source.js';

export type EventsFlags = ConnectionFlags &
  ArchiveFlags &
  HistoryFlags &
  OutputFlags & { archive?: boolean; ecsOriginal?: boolean; tz?: string };

/** What `events` was asked for, parsed from its flags before any work is done. */
export interface EventsOptions {
  history: ParsedHistoryFlags;
  output: OutputOptions;
  /** The portal, or the archive with `--archive`. */
  from: ReadFrom;
  /** Add `event.original` to ECS documents. */
  ecsOriginal: boolean;
  /** `--tz`: show times at this zone instead of each event's own offset. */
  tz?: string;
}

export function parseEventsFlags(flags: EventsFlags, io: CliIo): EventsOptions {
  const history = parseHistoryFlags(flags);
  const output = parseOutputFlags(flags, io, FORMATS_OF.events);
  if (flags.ecsOriginal && output.format !== 'ecs') {
    throw new UsageError(
      '--ecs-original only applies to --format ecs (it adds event.original to ECS documents)',
    );
  }
  const from: ReadFrom = flags.archive ? { archive: parseArchiveFlags(flags) } : { connection: parseConnectionFlags(flags) };
  return { history, output, from, ecsOriginal: Boolean(flags.ecsOriginal), tz: flags.tz };
}

/** Events re-dated at a zone, as reports do with `--tz` (`portal` keeps each event's own offset). */
async function zoned(tz: string, io: CliIo): Promise<(e: LoginEvent) => LoginEvent> {
  const { parseZone, ZoneClock } = await import('../../report/zone.js');
  const spec = parseZone(tz, io.env);
  if (spec.kind === 'portal') return (e) => e;
  const clock = new ZoneClock(spec, 0);
  return (e) => ({ ...e, offsetMinutes: clock.offsetAt(e.time, e.offsetMinutes) });
}

/** `docspace-logins events`: the filtered login history, streamed to the chosen format. */
export async function eventsCommand(flags: EventsFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const opts = parseEventsFlags(flags, io);
  const parsed = opts.history;
  // The archive is opened once, for whichever path reads it.
  let archive: ArchiveSelection | undefined;
  if (opts.from.archive) {
    const { openArchiveSelection } = await import('../archive.js');
    archive = await openArchiveSelection(opts.from.archive, io.env);
    if (!opts.ecsOriginal && !opts.tz) {
      // A period of one SQLite portal as CSV/NDJSON/ECS: formatted on two cores.
      const { exportFromArchive } = await import('../archive-export.js');
      const code = await exportFromArchive(archive, opts.output, parsed, io, reporter);
      if (code !== undefined) return code;
    }
  }
  const out = await openOutput(opts.output, io).catch(async (err: unknown) => {
    await archive?.store.close();
    throw err;
  });
  try {
    if (opts.ecsOriginal) {
      const source = await openEventSource(opts.from, parsed, io, reporter, {
        limit: parsed.limit,
        original: true,
        selection: archive,
      });
      // Only ECS is allowed here, and it writes nothing but the `ecs` document.
      return await writeEvents(source, out, reporter, async () => {
        const writer = out.writer<EventWithOriginal>({
          columns: [],
          ecs: (r) => toEcs(r.event, { portal: r.event.portal ?? source.portal, original: r.original }),
        });
        return writer;
      });
    }
    const source = await openEventSource(opts.from, parsed, io, reporter, { limit: parsed.limit, selection: archive });
    return await writeEvents(source, out, reporter, async () => {
      // An archive read of several portals names each event's portal in every format.
      const several = Boolean(archive) && !archive?.only;
      const writer = out.writer({
        columns: several ? portalEventColumns : eventColumns,
        json: eventJson,
        jsonText: eventJsonText,
        jsonFields: several ? ['portal', ...EVENT_FIELDS] : EVENT_FIELDS,
        ecs: (e) => toEcs(e, { portal: e.portal ?? source.portal }),
      });
      // --tz: times at the chosen zone instead of the event's own offset (the UTC instant stays).
      if (!opts.tz) return writer;
      const shown = await zoned(opts.tz, io);
      return { write: (e) => writer.write(shown(e)), end: () => writer.end() };
    });
  } finally {
    await out.close();
  }
}

/**
 * Every event of `source` through the writer `open` makes once the source is open, then the
 * closing line; the read's exit code. The source is closed whatever happens.
 */
async function writeEvents<T>(
  source: EventSource<T>,
  out: OpenOutput,
  reporter: Reporter,
  open: () => Promise<RowWriter<T>>,
): Promise<number> {
  try {
    const writer = await open();
    for await (const e of source.events) await writer.write(e);
    await writer.end();
    await out.close();
    out.finish(reporter, 'events');
    return source.finish();
  } finally {
    await source.close();
  }
}
