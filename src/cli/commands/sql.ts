import { type ArchiveFlags, openArchive } from '../archive.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, writeRows } from '../output.js';

/** `docspace-logins sql "SELECT …"`: read-only SQL over the archive. */
export async function sqlCommand(
  query: string,
  flags: ArchiveFlags & OutputFlags,
  io: CliIo,
  reporter: Reporter,
) {
  const store = await openArchive(flags, io.env, true);
  try {
    const result = await store.sql(query);
    await writeRows<unknown[]>(
      flags,
      io,
      ['table', 'json', 'ndjson', 'csv', 'xlsx'],
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
      result.rows,
    );
    if (result.truncated) reporter.warn('the result was cut short: add a LIMIT');
    return 0;
  } finally {
    await store.close();
  }
}
