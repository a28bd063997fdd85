import { UsageError } from '../../errors/index.js';
import { EVENT_FIELDS, eventColumns,
  portalEventColumns, eventJson, eventJsonText, toEcs } from '../../output/index.js';
import type { LoginEvent } from '../../model/event.js';
import type { LoginMask } from '../../output/masked-logins.js';
import { type ArchiveFlags, type ArchiveSelection, parseArchiveFlags } from '../archive.js';
import { type ConnectionFlags, parseConnectionFlags } from '../context.js';
import { type HistoryFlags, type ParsedHistoryFlags, parseHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import type { RowWriter } from '../../output/writer.js';
import { type OpenOutput, type OutputFlags, type OutputOptions, openOutput, parseOutputFlags } from '../output.js';
import { type EventSource, type EventWithOriginal, openEventSource, type ReadFrom } from '../source.js';
import { holdYoungGeneration } from '../young-generation.js';

export type EventsFlags = ConnectionFlags &
  ArchiveFlags &
  HistoryFlags &
  OutputFlags & { archive?: boolean; ecsOriginal?: boolean; tz?: string; maskLogins?: boolean };

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
  /**
   * Typed logins that may be passwords shown as their keyed hash: on unless `--no-mask-logins`
   * (README, "Passwords typed as logins"). `db`: the archive whose detect key a live read uses.
   */
  maskLogins: false | { db?: string };
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
  const maskLogins = flags.maskLogins === false ? false : { db: flags.db };
  return { history, output, from, ecsOriginal: Boolean(flags.ecsOriginal), tz: flags.tz, maskLogins };
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
  // From the archive, the masking key is known before any output; live, once the portal answers.
  let archiveMask: LoginMask | undefined;
  if (opts.from.archive) {
    const { openArchiveSelection } = await import('../archive.js');
    archive = await openArchiveSelection(opts.from.archive, io.env);
    if (opts.maskLogins) {
      const { archiveLoginMask } = await import('../login-mask.js');
      archiveMask = await archiveLoginMask(archive, reporter).catch(async (err: unknown) => {
        await archive?.store.close();
        throw err;
      });
    }
    if (!opts.ecsOriginal && !opts.tz) {
      // A period of one SQLite portal as CSV/NDJSON/ECS: formatted on two cores.
      const { exportFromArchive } = await import('../archive-export.js');
      const code = await exportFromArchive(archive, opts.output, parsed, io, reporter, archiveMask);
      if (code !== undefined) return code;
    }
  }
  const masker = async (source: EventSource<unknown>): Promise<((e: LoginEvent) => LoginEvent) | undefined> => {
    if (!opts.maskLogins) return undefined;
    const { loginMasker } = await import('../../output/masked-logins.js');
    if (archiveMask) return loginMasker(archiveMask);
    const { liveLoginMask, notingFirst } = await import('../login-mask.js');
    const portal = { url: source.portal, demo: Boolean(opts.from.connection?.demo) };
    const live = await liveLoginMask(opts.maskLogins.db, portal, io.env, reporter);
    const mask = loginMasker(live.mask);
    return live.note ? notingFirst(mask, (e, m) => m !== e, live.note, reporter) : mask;
  };
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
        const mask = await masker(source);
        const { maskedOriginal } = await import('../../output/masked-logins.js');
        const writer = out.writer<EventWithOriginal>({
          columns: [],
          ecs: ({ event, original }) => {
            const shown = mask ? mask(event) : event;
            // The original is masked too: it holds the typed login twice (`login`, `user`).
            return toEcs(shown, { portal: event.portal ?? source.portal, original: maskedOriginal(original, event, shown) });
          },
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
      const mask = await masker(source);
      // --tz: times at the chosen zone instead of the event's own offset (the UTC instant stays).
      const zone = opts.tz ? await zoned(opts.tz, io) : undefined;
      const shown = mask && zone ? (e: LoginEvent) => zone(mask(e)) : (mask ?? zone);
      if (!shown) return writer;
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
    // A small young generation while the events stream through (young-generation.ts).
    const young = holdYoungGeneration();
    try {
      for await (const e of source.events) {
        young.tick();
        await writer.write(e);
      }
    } finally {
      young.release();
    }
    await writer.end();
    await out.close();
    out.finish(reporter, 'events');
    return source.finish();
  } finally {
    await source.close();
  }
}
