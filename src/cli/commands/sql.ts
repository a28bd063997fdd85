import { type ArchiveFlags, openArchive, parseArchiveFlags, selectedPortals } from '../archive.js';
import type { CliIo, Reporter } from '../io.js';
import { FORMATS_OF } from '../formats.js';
import { type OutputFlags, parseOutputFlags, writeRows } from '../output.js';

/**
 * `docspace-logins sql "SELECT …"`: read-only SQL over the archive. Rows are written as the
 * database returns them (the table format alone waits for all of them, to align its columns),
 * so a query over millions of rows runs in bounded memory.
 */
export async function sqlCommand(
  query: string,
  flags: ArchiveFlags & OutputFlags,
  io: CliIo,
  _reporter: Reporter,
) {
  const output = parseOutputFlags(flags, io, FORMATS_OF.sql);
  const archive = parseArchiveFlags(flags);
  const store = await openArchive(archive, io.env, true);
  try {
    // The scope rule: the configured portal's rows only; --all (or nothing configured) every portal.
    const portalIds = await selectedPortals(store, archive, io.env);
    const result = await store.sqlRows(query, { portalIds });
    try {
      await writeRows<unknown[]>(
        output,
        io,
        {
          columns: result.columns.map((name, i) => ({
            key: name,
            header: name,
            value: (row) => {
              const v = row[i];
              return typeof v === 'bigint' ? Number(v) : (v as string | number | null);
            },
          })),
        },
        result,
      );
    } finally {
      await result.close();
    }
    return 0;
  } finally {
    await store.close();
  }
}
