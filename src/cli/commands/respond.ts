/**
 * `docspace-logins respond ACTION TARGET` and `respond --finding ID [ACTION]`: containment
 * through DocSpace's own levers, dry-run unless `--yes`. A thin shell over `src/respond`: flags
 * in, one `respond` per target, the plan or the record out; the exit code says whether the
 * effect was proven (0), sent but not proven (9), or refused (4).
 */
import { Argument, type Command, Option } from 'commander';
import { UsageError } from '../../errors/index.js';
import { describeRecord } from '../../respond/describe.js';
import type { ResponseRecord, RespondAction } from '../../respond/types.js';
import type { ArchiveStore } from '../../store/index.js';
import type { ConnectionFlags } from '../context.js';
import type { CommandHelpers } from '../command-helpers.js';
import { EXIT } from '../exit.js';
import type { CliIo, Reporter } from '../io.js';

const ACTIONS: readonly RespondAction[] = ['logout-session', 'logout-user', 'disable-user'];

export type RespondFlags = ConnectionFlags & {
  yes?: boolean;
  finding?: string;
  allowAdmin?: boolean;
  db?: string;
  json?: boolean;
  debug?: boolean;
  quiet?: boolean;
};

const RESPOND_HELP = `
Actions (dry run unless --yes: the exact requests are printed, nothing is sent):
  logout-session EVENT_ID  end the session a successful login event opened
                           PUT /api/2.0/security/activeconnections/logout/EVENT_ID   (audit 4035)
  logout-user USER         end every session of a member
                           PUT /api/2.0/security/activeconnections/logoutall/USER_ID (audit 4036)
  disable-user USER        disable the member (status 2), which also ends their sessions
                           PUT /api/2.0/people/status/2 {"userIds":[USER_ID]}          (audit 4020)
USER: a user id, e-mail, user name or display name. Never the owner or the key's own user;
admins only with --allow-admin. The key needs *:write. After sending, the audit trail is read
back; exit 9 when the effect could not be proven.`;

export function registerRespondCommand(program: Command, h: Pick<CommandHelpers, 'connectionOptions' | 'commonOptions' | 'action'>): Command {
  const cmd = program
    .command('respond')
    .description('contain an account: log out a session or a member, or disable them (dry run unless --yes)')
    .addArgument(new Argument('[action]', 'what to do').choices(ACTIONS))
    .addArgument(new Argument('[target]', 'EVENT_ID for logout-session, USER for the others'))
    .option('--yes', 'send the requests (without it: print them, send nothing)')
    .option('--finding <id>', "act on a stored finding's sessions or member (needs the archive)")
    .option('--allow-admin', 'allow containing a DocSpace admin (never the owner)')
    .option('--db <path|url>', 'archive that records the response (env DOCSPACE_LOGINS_DB)')
    .addOption(new Option('--json', 'print the plan or the record as JSON'));
  h.commonOptions(h.connectionOptions(cmd));
  cmd.addHelpText('after', RESPOND_HELP);
  cmd.action((action: string | undefined, target: string | undefined, flags: RespondFlags) =>
    h.action<RespondFlags>((f, io, r) => respondCommand(action as RespondAction | undefined, target, f, io, r))(flags),
  );
  return cmd;
}

export async function respondCommand(
  action: RespondAction | undefined,
  target: string | undefined,
  flags: RespondFlags,
  io: CliIo,
  reporter: Reporter,
): Promise<number> {
  if (flags.finding !== undefined && target !== undefined) {
    throw new UsageError('Give a target or --finding, not both: --finding takes its targets from the finding');
  }
  if (flags.finding === undefined && (!action || target === undefined)) {
    throw new UsageError('Say what to do: respond logout-session EVENT_ID | logout-user USER | disable-user USER, or respond --finding ID');
  }
  const { connect, parseConnectionFlags } = await import('../context.js');
  const { respond, findingTargets, defaultActionFor } = await import('../../respond/index.js');
  const conn = await connect(parseConnectionFlags(flags), reporter, io.env);
  const store = flags.db || io.env.DOCSPACE_LOGINS_DB || flags.finding ? await openStore(flags, io) : undefined;
  try {
    let targets: string[];
    let chosen: RespondAction;
    let portalId: number | undefined;
    let findingId: string | undefined;
    if (flags.finding !== undefined) {
      const finding = await findingOf(store!, flags.finding, flags.demo ? undefined : conn.client.portal);
      chosen = action ?? defaultActionFor(finding);
      targets = await findingTargets(conn.client, finding, chosen);
      portalId = finding.portalId;
      findingId = finding.id;
    } else {
      chosen = action!;
      targets = [target!];
    }
    if (store && portalId === undefined && flags.demo) {
      const { DEMO_PORTAL_KEY } = await import('../archive.js');
      portalId = await store.ensurePortal({ url: DEMO_PORTAL_KEY });
    }
    const records: ResponseRecord[] = [];
    for (const t of targets) {
      const record = await respond({
        client: conn.client,
        action: chosen,
        target: t,
        dryRun: !flags.yes,
        allowAdmin: flags.allowAdmin,
        ...(findingId !== undefined ? { findingId } : {}),
        ...(store ? { store, portalId } : {}),
      });
      records.push(record);
      if (!flags.json) io.stdout.write(reporter.redact(describeRecord(record)));
    }
    if (flags.json) io.stdout.write(`${reporter.redact(JSON.stringify(records.length === 1 ? records[0] : records, null, 2))}\n`);
    if (records.some((r) => r.outcome === 'unverified')) {
      reporter.warn('the portal accepted the request, but its effect could not be proven: check the audit trail in DocSpace');
      return EXIT.unverified;
    }
    return EXIT.ok;
  } finally {
    await conn.close();
    await store?.close();
  }
}

async function openStore(flags: RespondFlags, io: CliIo) {
  const { openArchive } = await import('../archive.js');
  return openArchive({ db: flags.db }, io.env, { syncDemo: false });
}

/**
 * The stored finding (an id or a prefix of at least 4 hex digits), which must be about the
 * portal this run is connected to: containing on the wrong portal would hit a stranger.
 */
async function findingOf(store: ArchiveStore, id: string, connectedTo: string | undefined) {
  const finding = await store.getFinding(id);
  const portal = await store.portal(finding.portalId);
  if (connectedTo && portal) {
    const { normalisePortalUrl } = await import('../../client/config.js');
    if (normalisePortalUrl(connectedTo) !== portal.url) {
      throw new UsageError(
        `Finding ${finding.id} is about ${portal.url}, not ${connectedTo}: connect to its portal (--profile or --portal)`,
      );
    }
  }
  return finding;
}
