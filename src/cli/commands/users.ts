import { type UserActivity, UserActivityCollector, uniqueUsers } from '../../history/users.js';
import type { LoginEvent } from '../../model/event.js';
import { UsageError } from '../../client/errors.js';
import { userActivityColumns } from '../../output/index.js';
import type { ArchiveFlags } from '../archive.js';
import type { ConnectionFlags } from '../context.js';
import { type HistoryFlags, parseHistoryFlags } from '../history-flags.js';
import type { CliIo, Reporter } from '../io.js';
import { type OutputFlags, openOutput } from '../output.js';
import { openEventSource } from '../source.js';

export type UsersFlags = ConnectionFlags &
  ArchiveFlags & { archive?: boolean } & HistoryFlags &
  OutputFlags & { details?: boolean; includeAnonymous?: boolean };

/**
 * `docspace-logins users`: unique user ids of the latest login events, most recent first (the
 * "Get login history" example's job). `--since` widens it to the full history of a period.
 */
export async function usersCommand(flags: UsersFlags, io: CliIo, reporter: Reporter): Promise<number> {
  const parsed = parseHistoryFlags(flags);
  const latestOnly = parsed.filter.since === undefined;
  const out = await openOutput(flags, io, ['table', 'json', 'ndjson', 'csv', 'xlsx']);
  const source = await openEventSource(flags, parsed, io, reporter, { latestOnly });
  try {
    const read = source;
    const includeAnonymous = Boolean(flags.includeAnonymous);
    const collector = new UserActivityCollector(includeAnonymous);
    const events: LoginEvent[] = [];
    for await (const e of read.events) {
      collector.add(e);
      if (!flags.details) events.push(e);
    }
    let rows: UserActivity[] | undefined;
    let skipped: number;
    if (flags.details) {
      rows = collector.rows(source.client ? await identities(source.client, collector.order) : undefined);
      if (parsed.limit) rows = rows.slice(0, parsed.limit);
      skipped = 0;
    } else {
      const u = uniqueUsers(events, includeAnonymous);
      skipped = u.anonymousSkipped;
      const ids = parsed.limit ? u.userIds.slice(0, parsed.limit) : u.userIds;
      if (typeof flags.json === 'string') {
        throw new UsageError('--json FIELD,FIELD picks fields of --details rows: add --details');
      }
      // Like the seed example: plain ids, one per line, unless a format was asked for.
      const plain = !flags.format && !flags.json && !flags.output;
      if (plain) for (const id of ids) out.sink.write(`${id}\n`);
      else if (out.format === 'json') out.sink.write(`${JSON.stringify(ids, null, 2)}\n`);
      else if (out.format === 'ndjson' || out.format === 'csv') {
        // One id per line: the plain list scripts expect (CSV gets a header).
        if (out.format === 'csv') out.sink.write('userId\n');
        for (const id of ids) out.sink.write(out.format === 'ndjson' ? `${JSON.stringify(id)}\n` : `${id}\n`);
      } else {
        const byId = new Map(collector.rows().map((r) => [r.userId, r]));
        rows = ids.map((id) => byId.get(id)!);
      }
    }
    if (rows) {
      const writer = out.writer({ columns: userActivityColumns });
      for (const r of rows) await writer.write(r);
      await writer.end();
    }
    if (!flags.details && skipped > 0 && !includeAnonymous) {
      reporter.note(
        `note: ${skipped} anonymous event(s) (failed logins under the Guest id) were left out; add --include-anonymous to list the Guest id`,
      );
    }
    return read.finish();
  } finally {
    await out.close();
    await source.close();
  }
}

/** Names and emails from the people API, one request per user, cached for this run. */
async function identities(client: import('../../client/client.js').DocSpaceClient, ids: string[]) {
  const map = new Map<string, { name?: string; email?: string; userName?: string }>();
  await Promise.all(
    ids.map(async (id) => {
      const p = await client.person(id).catch(() => undefined);
      if (p) map.set(id, { name: p.displayName, email: p.email, userName: p.userName });
    }),
  );
  return map;
}
