/** CSV / XLSX of the Events page's current filter, through the CLI's own writers and columns. */
import { PassThrough, Readable } from 'node:stream';
import { createWriter, eventColumns, portalEventColumns } from '../output/index.js';
import type { ArchiveStore } from '../store/index.js';
import { allEvents } from './data/events.js';
import type { Scope } from './data/scope.js';
import type { View } from './view.js';

export type ExportFormat = 'csv' | 'xlsx';

const TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** A streamed download: rows are read and written a chunk at a time, whatever the filter matches. */
export function exportResponse(store: ArchiveStore, v: View, scope: Scope, format: ExportFormat, headers: Record<string, string>): Response {
  const sink = new PassThrough();
  const several = v.portalIds.length > 1;
  const urls = new Map(v.portals.map((p) => [p.id, p.url]));
  const writer = createWriter(format, {
    columns: several ? portalEventColumns : eventColumns,
    sink,
    title: 'Login events',
  });
  void (async () => {
    for await (const chunk of allEvents(store, scope)) {
      for (const r of chunk) await writer.write(several ? { ...r.event, portal: urls.get(r.portalId) } : r.event);
    }
    await writer.end();
    sink.end();
  })().catch((err: unknown) => sink.destroy(err instanceof Error ? err : new Error(String(err))));
  const stamp = new Date(v.now).toISOString().slice(0, 10);
  return new Response(Readable.toWeb(sink) as ReadableStream<Uint8Array>, {
    headers: {
      ...headers,
      'content-type': TYPES[format],
      'content-disposition': `attachment; filename="login-events-${stamp}.${format}"`,
      'cache-control': 'no-store',
    },
  });
}
