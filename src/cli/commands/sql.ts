import { createWriter } from '../../output/index.js';
import { type ArchiveFlags, openArchive } from '../archive.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, openOutput } from '../output.js';

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
    const out = await openOutput(flags, io, ['table', 'json', 'ndjson', 'csv', 'xlsx']);
    try {
      const writer = createWriter<unknown[]>(out.format, {
        columns: result.columns.map((name, i) => ({
          key: name,
          header: name,
          value: (row) => {
            const v = row[i];
            return typeof v === 'bigint' ? Number(v) : (v as string | number | null);
          },
        })),
        sink: out.sink,
        isTTY: out.isTTY,
      });
      for (const row of result.rows) await writer.write(row);
      await writer.end();
    } finally {
      await out.close();
    }
    if (result.truncated) reporter.warn('the result was cut short: add a LIMIT');
    return 0;
  } finally {
    await store.close();
  }
}
