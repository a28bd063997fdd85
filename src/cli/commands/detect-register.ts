/**
 * The `detect` and `findings` commands declared on the program. Kept apart from their handlers
 * (detect.ts, findings.ts) so that declaring them loads nothing: the handlers, the rules and the
 * store load only when one of these commands runs.
 */
import { type Command, Option } from 'commander';
import { type CommandHelpers, collect } from '../command-helpers.js';

const SEVERITY_CHOICES = ['low', 'medium', 'high', 'critical'];
const FINDING_FORMATS = ['table', 'json', 'ndjson', 'csv', 'xlsx', 'ecs'];

const DETECT_HELP = `
Runs the detection rules (see: docspace-logins rules list) over the archive's events of the period,
prints the findings and stores them in the archive: a finding is keyed by rule, group and window, so
running again adds nothing, and an attack that goes on updates its finding (count, last seen).
--live reads the portal's history instead; its findings are stored only when an archive is named
(--db or DOCSPACE_LOGINS_DB). --fail-on SEVERITY exits with 10 when an open finding of that
severity or above exists (for cron and CI). Manage findings with: docspace-logins findings
`;

export function registerDetectCommands(program: Command, h: CommandHelpers): void {
  const detect = program
    .command('detect')
    .description('find attacks in the login history: spray, stuffing, brute force, success after attack, travel, …')
    .option('--db <path|url>', 'archive: SQLite file or postgres:// URL (env DOCSPACE_LOGINS_DB)')
    .option('--all', 'every portal in the archive, not just the configured one')
    .option('--live', "read the portal's history instead of the archive")
    .option('--since <when>', 'from this time: ISO date/date-time, relative (30d, 12h) or "all" (default: 30d)')
    .option('--until <when>', 'up to this time (same forms as --since; a relative --since counts back from a dated --until)')
    .option('--rule <id>', 'only this rule (repeatable); rules it builds on run too', collect)
    .option('--rules <path>', 'a rule file or folder of your own, besides the built-in ones')
    .addOption(new Option('--fail-on <severity>', 'exit 10 when an open finding of this severity or above exists').choices(SEVERITY_CHOICES))
    .option('--json [fields]', 'same as --format json; with fields, only those (e.g. id,rule,group)');
  h.commonOptions(h.outputOptions(h.connectionOptions(detect), FINDING_FORMATS));
  detect.addHelpText('after', DETECT_HELP);
  detect.action(h.action(async (flags, io, r) => (await import('./detect.js')).detectCommand(flags, io, r)));

  const findings = program.command('findings').description('findings stored by detect: list, show, ack, resolve, suppress');
  const scoped = (cmd: Command) =>
    cmd
      .option('--db <path|url>', 'archive: SQLite file or postgres:// URL (env DOCSPACE_LOGINS_DB)')
      .option('--profile <name>', "only this profile's portal")
      .option('--portal <url>', 'only this portal')
      .option('--demo', 'only the demo portal')
      .option('--all', 'every archived portal, not just the configured one');

  h.commonOptions(
    h.outputOptions(
      scoped(
        findings
          .command('list')
          .description('stored findings, most recently seen first')
          .option('--status <status>', 'open, acknowledged, resolved or suppressed (repeatable)', collect)
          .addOption(new Option('--severity <severity>', 'this severity and above').choices(SEVERITY_CHOICES))
          .option('--rule <id>', 'only this rule (repeatable)', collect)
          .option('--since <when>', 'last seen at or after this time (ISO, relative: 7d, or "all")')
          .option('--limit <n>', 'at most this many')
          .option('--json [fields]', 'same as --format json; with fields, only those'),
      ),
      FINDING_FORMATS,
    ),
  ).action(h.action(async (flags, io, r) => (await import('./findings.js')).findingsListCommand(flags, io, r)));

  const byId = (name: string, description: string) =>
    h.commonOptions(scoped(findings.command(`${name} <id>`).description(`${description} (id or a unique prefix of it)`)));

  byId('show', 'one finding in full: evidence, events, history')
    .addOption(new Option('--format <format>', 'text (default), json, ndjson or ecs').choices(['table', 'json', 'ndjson', 'ecs']))
    .option('--json', 'same as --format json')
    .action(async (id: string, flags) => h.action(async (f, io) => (await import('./findings.js')).findingsShowCommand(id, f, io))(flags));
  const status = (name: string, description: string, to: 'acknowledged' | 'resolved' | 'suppressed') =>
    byId(name, description)
      .option('--note <text>', 'why, kept in the history')
      .action(async (id: string, flags) =>
        h.action(async (f, io, r) => (await import('./findings.js')).findingsStatusCommand(id, to, f, io, r))(flags),
      );
  status('ack', 'acknowledge a finding: someone is on it', 'acknowledged');
  status('resolve', 'mark a finding resolved (new events open it again)', 'resolved');
  status('suppress', 'hide a finding for a while; it opens again after', 'suppressed').requiredOption('--for <duration>', 'how long, e.g. 24h or 7d');
}
