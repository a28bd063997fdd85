/** Declares `watch` and `alerts …` on the program, with the option builders of run.ts. */
import { type Command, Option } from 'commander';
import { DESTINATION_USAGE } from '../../alert/destination-usage.js';
import type { CommandHelpers } from '../command-helpers.js';

const collect = (value: string, previous: string[] = []) => [...previous, value];

const WATCH_HELP = `
Each cycle syncs every watched portal (the same as sync), runs the detections on the new events,
records the findings and queues their alerts in one transaction, then delivers what is due.
Alerts are kept in the archive until delivered (at least once, same id on every retry).

${DESTINATION_USAGE}
Webhook secrets: DOCSPACE_LOGINS_WEBHOOK_SECRET (whsec_…), or per destination #secret-env=NAME / #secret-file=PATH.

Examples:
  docspace-logins watch --every 1m --alert 'webhook+https://siem.example/hooks/logins'
  docspace-logins watch --all --once --log-format json        # from cron
  docspace-logins alerts test 'slack+https://hooks.slack.com/services/T…/B…/…'`;

export function registerWatchCommands(program: Command, h: CommandHelpers): void {
  const archive = (cmd: Command) => cmd.option('--db <path|url>', 'archive: SQLite file or postgres:// URL (env DOCSPACE_LOGINS_DB)');

  const watch = program
    .command('watch')
    .description('a service: sync, detect and alert every interval (SIGTERM stops it cleanly)')
    .option('--portal <url>', 'portal address (env DOCSPACE_URL or DOCSPACE_API_HOST)')
    .option('--profile <name>', 'a profile to watch (repeatable); its own alert destinations apply to it', collect)
    .option('--all', 'watch every profile')
    .option('--api-key-file <path>', 'file holding the API key (else env DOCSPACE_API_KEY)')
    .option('--ca-file <path>', 'PEM bundle of a private CA, for self-hosted portals')
    .option('--allow-insecure-http', 'allow plain http portals and alert destinations beyond loopback')
    .addOption(new Option('--demo', 'watch the built-in emulator with demo data').conflicts(['portal', 'profile', 'all']))
    .option('--concurrency <n>', 'requests in flight (1-40)')
    .option('--timeout <seconds>', 'deadline for each whole response (default 30)')
    .option('--retries <n>', 'retries of a failed GET (0-10, default 5)')
    .option('--every <interval>', 'time between cycles, at least 5s', '1m')
    .option('--alert <destination>', 'where alerts go (repeatable): see below', collect)
    .option('--rules <path>', 'a rule file or folder of your own, besides the built-in ones')
    .option('--overlap <duration>', 're-read this much before the newest archived event (default 15m)')
    .option('--auto-respond', "contain on its own when a rule says respond: (off by default; see README)")
    .option('--allow-admin', 'with --auto-respond: contain DocSpace admins too (never the owner)')
    .option('--max-responses <n>', 'with --auto-respond: automatic responses in any hour (default 3)')
    .option('--once', 'one cycle, then exit (for cron); the exit code says whether it worked')
    .addOption(new Option('--log-format <format>', 'one line per cycle on stdout').choices(['text', 'json']).default('text'))
    .option('--health-file <path>', 'rewrite this JSON file after every cycle (last success, last cycle)')
    .option('--health-port <n>', 'answer GET http://127.0.0.1:N/ with 200 while cycles succeed, 503 when stale');
  h.commonOptions(archive(watch));
  watch.addHelpText('after', WATCH_HELP);
  watch.action(h.action(async (flags, io, r) => (await import('./watch.js')).watchCommand(flags, io, r)));

  const alerts = program.command('alerts').description('the alert outbox: what was sent where, replay, test a destination');
  h.commonOptions(
    h.outputOptions(
      archive(
        alerts
          .command('list')
          .description('alerts, newest first, with where their deliveries stand')
          .option('--since <when>', 'created at or after (ISO, relative: 24h, 7d, or "all")')
          .option('--limit <n>', 'at most this many (default 100)'),
      ),
    ),
  ).action(h.action(async (flags, io, r) => (await import('./alerts.js')).alertsListCommand(flags, io, r)));
  const show = h.commonOptions(archive(alerts.command('show <id>').description('one alert as destinations receive it, and its deliveries (id or a unique prefix of it)')));
  show.action((id: string, flags) => h.action<typeof flags>(async (f, io, r) => (await import('./alerts.js')).alertsShowCommand(id, f, io, r))(flags));
  h.commonOptions(
    archive(
      alerts
        .command('replay')
        .description('send recent alerts again (same ids: receivers drop what they have)')
        .option('--since <when>', 'alerts created at or after (e.g. 24h, or "all")')
        .option('--alert <destination>', 'only to this destination (and enable it again after a 410)')
        .option('--allow-insecure-http', 'allow a plain http destination beyond loopback'),
    ),
  ).action(h.action(async (flags, io, r) => (await import('./alerts.js')).alertsReplayCommand(flags, io, r)));
  const test = h.commonOptions(
    alerts
      .command('test <destination>')
      .description('send a test alert to a destination and say what it answered')
      .option('--allow-insecure-http', 'allow a plain http destination beyond loopback'),
  );
  test.action((uri: string, flags) => h.action<typeof flags>(async (f, io, r) => (await import('./alerts.js')).alertsTestCommand(uri, f, io, r))(flags));
}
