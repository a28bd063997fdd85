/**
 * The command tree. Each command parses its flags here and calls a thin function in
 * `commands/`, which calls the library. Only this file maps errors to exit codes.
 */
import { Argument, Command, CommanderError, Option } from 'commander';
import { isDocSpaceLoginsError } from '../errors/index.js';
import type { OutputFormat } from '../output/writer.js';
import { registerDetectCommands } from './commands/detect-register.js';
import { registerReportCommand } from './commands/report.js';
import { registerRespondCommand } from './commands/respond.js';
import { registerServeCommand } from './commands/serve.js';
import { registerWatchCommands } from './commands/watch-register.js';
import { collect } from './command-helpers.js';
import { EXIT, exitCodeFor } from './exit.js';
import { FORMATS_OF } from './formats.js';
import { type CliIo, processIo, Reporter } from './io.js';
import { holdOutputs } from './output-file.js';
import { oneOf, someOf } from './suggest.js';
import { versionText } from './version.js';

const SHELLS = ['bash', 'zsh', 'fish'];

function connectionOptions(cmd: Command): Command {
  return cmd
    .option('--portal <url>', 'portal address (env DOCSPACE_URL or DOCSPACE_API_HOST)')
    .option('--profile <name>', 'a named portal from the config file (see: profiles list)')
    .option('--api-key-file <path>', 'file holding the API key (else env DOCSPACE_API_KEY)')
    .option('--ca-file <path>', 'PEM bundle of a private CA, for self-hosted portals')
    .option('--allow-insecure-http', 'allow credentials over plain http to a non-loopback host')
    .addOption(
      new Option('--demo', 'use the built-in emulator with demo data instead of a portal').conflicts([
        'portal',
        'profile',
      ]),
    )
    .option('--concurrency <n>', 'requests in flight (1-40)', undefined)
    .option('--timeout <seconds>', 'deadline for each whole response, headers and body (default 30)', undefined)
    .option('--retries <n>', 'retries of a failed GET (0-10, default 5)', undefined);
}

function historyOptions(cmd: Command): Command {
  return cmd
    .option('--since <when>', 'from this time: ISO date/date-time (UTC unless zoned) or relative (30d, 12h)')
    .option('--until <when>', 'up to this time (same forms as --since; a relative --since counts back from a dated --until)')
    .option(
      '--user <id|email|login>',
      'only this user (repeatable); matches failures by typed login too',
      collect,
    )
    .option('--limit <n>', 'at most this many rows');
}

/** `--format` offers only what the command accepts, so `--help` and completion do not promise more. */
function outputOptions(cmd: Command, formats: readonly OutputFormat[]): Command {
  cmd
    .addOption(new Option('--format <format>', 'output format').choices(formats))
    .option('--output <file>', 'write to a file (format from its extension unless --format)');
  if (formats.includes('csv')) cmd.option('--excel', 'CSV for Excel: UTF-8 BOM and CRLF line ends');
  return cmd
    .option('--columns <list>', 'table, CSV or XLSX columns to show, in order (e.g. date,user,kind,ip)')
    .option('--wide', 'table: every column at full width, even wider than the terminal')
    .option('--no-color', 'no colour in tables (also: env NO_COLOR)');
}

function archiveOptions(cmd: Command): Command {
  return cmd.option('--db <path|url>', 'archive: SQLite file or postgres:// URL (env DOCSPACE_LOGINS_DB)');
}

function commonOptions(cmd: Command): Command {
  return cmd
    .option('--debug', 'show request details and error causes on stderr (secrets redacted)')
    .option('-q, --quiet', 'no progress or notes on stderr (warnings and errors still show)');
}

const EXIT_CODES_HELP = `
Exit codes:
  0  success
  1  internal error (a bug: please report it with --debug output)
  2  usage: bad flag, date, id or missing configuration
  3  authentication failed (401)
  4  not allowed: 403, or 402 (plan or payment)
  5  not a DocSpace API at that URL (404, HTML, non-JSON, unexpected shape or malformed events)
  6  unavailable after retries: network, time-out, 429, 5xx; or the PostgreSQL archive
  7  incomplete: the portal could only give part of what was asked (e.g. no audit feature)
  8  local I/O: --output or the archive could not be written (full disk, missing or read-only folder)
  9  respond --yes: the portal accepted the action, but the audit trail does not prove it took effect
  10  detect --fail-on: an open finding at or above that severity exists
  130  interrupted (Ctrl-C) before it finished; a partial --output file is removed

Environment:
  DOCSPACE_URL (or DOCSPACE_API_HOST)   portal address
  DOCSPACE_API_KEY                      API key (sk-...), sent as "Authorization: Bearer"
  DOCSPACE_USER, DOCSPACE_PASSWORD      log in for a session token instead of a key
  NO_COLOR, FORCE_COLOR                 no colour in tables / colour even when not on a terminal
  DOCSPACE_LOGINS_PAGER (or PAGER)      pager for tables on a terminal (default "less -FRX"; "" for none)
  COLUMNS                               table width when stdout is not a terminal
  DOCSPACE_LOGINS_FORCE_TTY=1           behave as on a terminal: tables, colour, pager, closing lines
  DOCSPACE_LOGINS_WEBHOOK_SECRET        whsec_… secret signing webhook alerts (watch, alerts)

Shell completion: docspace-logins completion bash|zsh|fish`;

export async function run(argv: string[], io: CliIo = processIo()): Promise<number> {
  let exitCode: number = EXIT.ok;
  let reporter = new Reporter(io);
  const program = new Command()
    .name('docspace-logins')
    .description('Login history of an ONLYOFFICE DocSpace portal: who signed in, who failed, and when.')
    .version(versionText(), '-V, --version')
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', EXIT_CODES_HELP)
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
    })
    .exitOverride();

  const action =
    <F extends { debug?: boolean; quiet?: boolean }>(
      fn: (flags: F, io: CliIo, r: Reporter) => Promise<number>,
    ) =>
    async (flags: F) => {
      reporter = new Reporter(io, Boolean(flags.quiet), Boolean(flags.debug));
      exitCode = await fn(flags, io, reporter);
    };

  commonOptions(
    outputOptions(
      historyOptions(
        connectionOptions(
          program
            .command('users')
            .description('unique user ids of the latest login events, most recent first')
            .option('--details', 'add name, email, last seen, successes and failures per user')
            .option('--include-anonymous', 'keep the Guest id that anonymous failed logins carry')
            .option('--archive', 'answer from the archive instead of the portal')
            .option('--db <path|url>', 'archive to read (with --archive)')
            .option('--all', 'with --archive: every archived portal, not just the configured one')
            .option('--json [fields]', 'print a JSON array (with --details: only these fields, e.g. name,email)'),
        ),
      ),
      FORMATS_OF.users,
    ),
  ).action(
    action(async (flags, cliIo, r) => (await import('./commands/users.js')).usersCommand(flags, cliIo, r)),
  );

  commonOptions(
    outputOptions(
      historyOptions(
        connectionOptions(
          program
            .command('events')
            .description('the login history, filtered, newest first')
            .option(
              '--kind <kind>',
              'success, failure or logout (repeatable)',
              someOf(['success', 'failure', 'logout'], '--kind'),
            )
            .option('--action <code>', 'action code 1000-1029 (repeatable)', collect)
            .option('--tz <zone>', 'times at: portal (default, each event at its own offset), local, UTC, +hh:mm or an IANA zone')
            .option('--archive', 'answer from the archive instead of the portal')
            .option('--db <path|url>', 'archive to read (with --archive)')
            .option('--all', 'with --archive: every archived portal, not just the configured one')
            .option('--json [fields]', 'same as --format json; with fields, only those (e.g. id,date,login)')
            .option(
              '--ecs-original',
              'with --format ecs: add event.original, the event as the portal served it',
            )
            .option('--mask-logins', 'typed logins that look like passwords as their keyed hmac:…, as findings show them (the default)')
            .option('--no-mask-logins', 'typed logins exactly as typed, passwords included (see README: Passwords typed as logins)'),
        ),
      ),
      FORMATS_OF.events,
    ),
  ).action(
    action(async (flags, cliIo, r) => (await import('./commands/events.js')).eventsCommand(flags, cliIo, r)),
  );

  commonOptions(
    program
      .command('emulator')
      .description('run the built-in DocSpace emulator on a loopback port (Ctrl-C to stop)')
      .option('--port <n>', 'port (0 = any free port)', '0')
      .option('--host <address>', 'address to bind', '127.0.0.1')
      .option('--api-key <key>', 'the key the emulator accepts (default: derived from --seed)')
      .option('--seed <n>', 'random seed of the generated portal')
      .option('--users <n>', 'number of members')
      .option('--events <n>', 'number of login events')
      .option('--days <n>', 'days of history to spread them over')
      .option('--timezone <iana>', 'the portal time zone, e.g. Europe/Berlin')
      .option('--now <iso>', 'pretend it is this time (fixed data for tests)')
      .option('--latency <ms>', 'delay every API response')
      .option('--rate-limit <perMinute>', 'answer 429 above this many requests per minute')
      .addOption(
        new Option('--rate-limit-headers <which>', 'headers on a 429 (default limit: as the real server, X-RateLimit-Limit/-Remaining only)').choices([
          'limit',
          'retry-after',
          'reset',
          'both',
          'none',
        ]),
      )
      .option('--fail-rate <p>', 'probability of a 500/502/503 or a dropped connection')
      .option('--no-audit', 'portal plan without the audit feature (filter answers the 20 newest)')
      .option('--live <n>', 'add n new login events per second while running')
      .option('--geo <file>', 'CSV of address ranges, one "cidr,country,city" a line, for login geolocation')
      .option('--scenarios', 'add the labelled attack scenarios to the history (default: the demo seed only); ground truth at /__emulator/scenarios')
      .option('--no-scenarios', 'no labelled attack scenarios, even for the demo seed'),
  ).action(
    action(async (flags, cliIo) => (await import('./commands/emulator.js')).emulatorCommand(flags, cliIo)),
  );

  commonOptions(
    archiveOptions(
      connectionOptions(
        program
          .command('sync')
          .description('bring the archive up to date: new events only, no duplicate, no gap')
          .option('--all', 'sync every profile, concurrently, into one archive')
          .option('--every <interval>', 'keep syncing at this interval (e.g. 5m); Ctrl-C stops cleanly')
          .option('--overlap <duration>', 're-read this much before the newest archived event (default: 15m, at most the 80 newest)')
          .option('--wait', 'wait for another sync of the same portal instead of exiting')
          .option('--json', 'one JSON summary per portal on stdout'),
      ),
    ),
  ).action(
    action(async (flags, cliIo, r) => (await import('./commands/sync.js')).syncCommand(flags, cliIo, r)),
  );

  commonOptions(
    outputOptions(
      archiveOptions(
        program
          .command('status')
          .description('what the archive holds per portal: events, coverage, gaps, last sync, purge risk')
          .option('--profile <name>', 'only this profile')
          .option('--portal <url>', 'only this portal')
          .option('--all', 'every archived portal, not just the configured one')
          .addOption(new Option('--demo', 'only the demo portal').conflicts(['portal', 'profile']))
          .option('--json [fields]', 'same as --format json; with fields, only those (e.g. portal,events)'),
      ),
      FORMATS_OF.status,
    ),
  ).action(
    action(async (flags, cliIo, r) => (await import('./commands/status.js')).statusCommand(flags, cliIo, r)),
  );

  commonOptions(
    outputOptions(
      archiveOptions(
        program
          .command('sql <query>')
          .description(
            'read-only SQL over the archive (tables: portals, events, people, findings, finding_history, responses, coverage, sync_runs, checkpoints, quarantine); the configured portal\'s rows only, or --all',
          )
          .option('--profile <name>', 'only this profile\'s portal')
          .option('--portal <url>', 'only this portal')
          .option('--demo', 'only the demo portal')
          .option('--all', 'every archived portal, not just the configured one')
          .option('--json', 'same as --format json'),
      ),
      FORMATS_OF.sql,
    ),
  ).action(async (query: string, flags) => {
    reporter = new Reporter(io, Boolean(flags.quiet), Boolean(flags.debug));
    exitCode = await (await import('./commands/sql.js')).sqlCommand(query, flags, io, reporter);
  });

  const rules = program.command('rules').description('detection rules: built in (rules/*.yaml) and your own');
  commonOptions(
    outputOptions(
      rules
        .command('list')
        .description('every rule: id, severity, title, how many inline tests')
        .option('--rules <path>', 'a rule file or folder of your own, besides the built-in ones'),
      FORMATS_OF.rules,
    ),
  ).action(action(async (flags, cliIo, r) => (await import('./commands/rules.js')).rulesListCommand(flags, cliIo, r)));
  commonOptions(
    rules
      .command('show <id>')
      .description('print a rule as YAML')
      .option('--rules <path>', 'a rule file or folder of your own, besides the built-in ones'),
  ).action(async (id: string, flags) => {
    reporter = new Reporter(io, Boolean(flags.quiet), Boolean(flags.debug));
    exitCode = await (await import('./commands/rules.js')).rulesShowCommand(id, flags, io, reporter);
  });
  commonOptions(
    rules.command('test [path]').description("run rules' inline tests (default: the built-in rules); exit 1 on a failure"),
  ).action(async (path: string | undefined, flags) => {
    reporter = new Reporter(io, Boolean(flags.quiet), Boolean(flags.debug));
    exitCode = await (await import('./commands/rules.js')).rulesTestCommand(path, flags, io, reporter);
  });

  registerDetectCommands(program, {
    connectionOptions,
    outputOptions: (cmd, formats) => outputOptions(cmd, (formats ?? FORMATS_OF.findings) as readonly OutputFormat[]),
    commonOptions,
    action,
  });

  registerReportCommand(program, {
    connectionOptions,
    outputOptions: (cmd) => outputOptions(cmd, FORMATS_OF.report),
    commonOptions,
    action,
  });

  registerRespondCommand(program, { connectionOptions, commonOptions, action });
  registerServeCommand(program, { commonOptions, action });

  registerWatchCommands(program, {
    connectionOptions,
    outputOptions: (cmd) => outputOptions(cmd, FORMATS_OF.alerts),
    commonOptions,
    action,
  });

  const profiles = program.command('profiles').description('named portals in the config file');
  commonOptions(
    profiles
      .command('add <name>')
      .description('add or replace a profile (the key stays in an env variable or a key file)')
      .option('--portal <url>', 'portal address')
      .option('--key-env <variable>', 'environment variable that holds the API key')
      .option('--key-file <path>', 'file that holds the API key (chmod 600)')
      .option('--ca-file <path>', 'PEM bundle of a private CA')
      .option('--allow-insecure-http', 'allow plain http to a non-loopback host')
      .option('--alert <destination>', 'alert destination for this portal\'s findings when watched (repeatable)', collect)
      .option('--default', 'use this profile when no portal is given'),
  ).action(async (name: string, flags) => {
    reporter = new Reporter(io, Boolean(flags.quiet), Boolean(flags.debug));
    exitCode = await (await import('./commands/profiles.js')).profilesAdd(name, flags, io, reporter);
  });
  commonOptions(
    outputOptions(profiles.command('list').description('list profiles').option('--json', 'JSON'), FORMATS_OF.profiles),
  ).action(
    action(async (flags, cliIo) => (await import('./commands/profiles.js')).profilesList(flags, cliIo)),
  );
  commonOptions(profiles.command('remove <name>').description('remove a profile')).action(
    async (name: string, flags) => {
      reporter = new Reporter(io, Boolean(flags.quiet), Boolean(flags.debug));
      exitCode = await (await import('./commands/profiles.js')).profilesRemove(name, io, reporter);
    },
  );

  program
    .command('completion')
    .description('print a shell completion script: eval "$(docspace-logins completion bash)"')
    .addArgument(new Argument('<shell>').choices(SHELLS).argParser(oneOf(SHELLS, 'shell')))
    .action(async (shell: 'bash' | 'zsh' | 'fish') => {
      const { completionScript } = await import('./commands/completion.js');
      io.stdout.write(completionScript(program, shell));
    });

  // `--output FILE` is replaced only when the command returns; a thrown error keeps the old one.
  const outputs = holdOutputs();
  try {
    await program.parseAsync(argv, { from: 'user' });
    const failed = outputs.settle(true);
    if (failed) throw failed;
    return exitCode;
  } catch (err) {
    // A write error (full disk) explains the failure better than what the writer saw after it.
    const failed = outputs.settle(false);
    if (failed) return reportError(failed, io, reporter);
    if (err instanceof CommanderError) {
      if (
        err.code === 'commander.helpDisplayed' ||
        err.code === 'commander.version' ||
        err.code === 'commander.help'
      ) {
        return EXIT.ok;
      }
      return EXIT.usage;
    }
    return reportError(err, io, reporter);
  }
}

function reportError(err: unknown, io: CliIo, reporter: Reporter): number {
  // The reader of our output went away (`| head`): that is how pipes end, not an error.
  if ((err as NodeJS.ErrnoException)?.code === 'EPIPE') return EXIT.ok;
  const code = exitCodeFor(err);
  const e = err as Error;
  if (isDocSpaceLoginsError(err)) {
    io.stderr.write(`error: ${reporter.redact(err.message)}\n`);
    if (reporter.debugEnabled) {
      io.stderr.write(`debug: ${reporter.redact(JSON.stringify(err.details))}\n`);
      if (err.cause)
        io.stderr.write(
          `debug: cause: ${reporter.redact(String((err.cause as Error).stack ?? err.cause))}\n`,
        );
    }
  } else {
    io.stderr.write(
      `error: internal error: ${reporter.redact(e?.message ?? String(err))} (run with --debug and report it)\n`,
    );
    if (reporter.debugEnabled) io.stderr.write(`${reporter.redact(String(e?.stack))}\n`);
  }
  return code;
}
