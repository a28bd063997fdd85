/**
 * `events --archive` for a whole period of one SQLite portal, in CSV, NDJSON or ECS: the
 * parallel exporter (src/export). Anything else (PostgreSQL, several portals, JSON arrays,
 * tables, XLSX, ECS originals) takes the general path through the store's query layer.
 */
import { exportArchive, type SegmentFormat } from '../export/parallel.js';
import { type ArchiveFlags, openArchive, selectedPortals } from './archive.js';
import { EXIT } from './exit.js';
import type { ParsedHistoryFlags } from './history-flags.js';
import type { CliIo } from './io.js';
import { chooseFormat, type OutputFlags, openOutput } from './output.js';

const FORMATS: readonly string[] = ['csv', 'ndjson', 'ecs'] satisfies SegmentFormat[];

/** Export and return the exit code, or undefined when this path does not apply. */
export async function exportFromArchive(
  flags: ArchiveFlags & OutputFlags,
  parsed: ParsedHistoryFlags,
  io: CliIo,
): Promise<number | undefined> {
  const format = chooseFormat(flags, io);
  if (!FORMATS.includes(format)) return undefined;
  const store = await openArchive(flags, io.env, true);
  let portalId: number;
  let file: string;
  let portal: string | undefined;
  try {
    if (store.dialect !== 'sqlite' || store.location === ':memory:') return undefined;
    const portals = (await selectedPortals(store, flags, io.env)) ?? (await store.portals()).map((p) => p.id);
    if (portals.length !== 1) return undefined;
    portalId = portals[0];
    file = store.location;
    portal = (await store.portal(portalId))?.url;
  } finally {
    await store.close();
  }
  const users = parsed.users.map((u) => u.toLowerCase());
  const { since, until, kinds, actionIds } = parsed.filter;
  const out = await openOutput(flags, io);
  try {
    await exportArchive(
      {
        file,
        portalId,
        since,
        until,
        kinds,
        actionIds,
        // No people API offline: what was typed is matched as an id or a login, as in the store.
        userIds: users.length ? users : undefined,
        logins: users.length ? users : undefined,
        format: format as SegmentFormat,
        excel: flags.excel,
        portal,
      },
      out.sink,
      { limit: parsed.limit },
    );
  } finally {
    await out.close();
  }
  return EXIT.ok;
}
