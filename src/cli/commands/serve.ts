/**
 * `docspace-logins serve`: the dashboard over the archive, on 127.0.0.1 unless told otherwise.
 * Any other address needs the access token on every request (generated and printed once, or
 * read from --token-file) and, since the dashboard speaks plain http, --allow-insecure-http
 * (put it behind a TLS proxy). The API key is never read here: pages see only the archive.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type Command, Option } from 'commander';
import { isLoopbackHost } from '../../client/config.js';
import { UsageError } from '../../errors/index.js';
import type { DocSpaceClient } from '../../client/client.js';
import type { ArchiveStore } from '../../store/index.js';
import type { ArchiveFlags } from '../archive.js';
import type { Connected } from '../context.js';
import type { CommandHelpers } from '../command-helpers.js';
import { parseWholeNumber } from '../context.js';
import type { CliIo, Reporter } from '../io.js';

export interface ServeFlags extends ArchiveFlags {
  port?: string;
  host?: string;
  allowActions?: boolean;
  allowInsecureHttp?: boolean;
  open?: boolean;
  tokenFile?: string;
  debug?: boolean;
  quiet?: boolean;
}

export function registerServeCommand(program: Command, h: Pick<CommandHelpers, 'commonOptions' | 'action'>): Command {
  const cmd = program
    .command('serve')
    .description('a dashboard over the archive in your browser: overview, events, users, addresses, findings, archive health')
    .option('--port <n>', 'port (0 = any free port)', '8080')
    .option('--host <address>', 'address to bind; anything but loopback needs the access token', '127.0.0.1')
    .option('--db <path|url>', 'archive: SQLite file or postgres:// URL (env DOCSPACE_LOGINS_DB)')
    .option('--profile <name>', 'show this profile\'s portal first')
    .option('--portal <url>', 'show this portal first')
    .option('--all', 'every archived portal (the default when no portal is configured: no --portal/--profile, DOCSPACE_URL/DOCSPACE_API_HOST or default profile)')
    .addOption(new Option('--demo', 'a fresh archive synced from the built-in demo portal').conflicts(['portal', 'profile']))
    .option('--allow-actions', 'show "log out" buttons that act on the portal (POST, CSRF token, confirmation)')
    .option('--allow-insecure-http', 'allow plain http on a non-loopback --host (put TLS in front of it)')
    .option('--token-file <path>', 'the access token for a non-loopback --host (default: a new one, printed once)')
    .option('--open', 'open the dashboard in the default browser');
  h.commonOptions(cmd);
  cmd.action(h.action<ServeFlags>((flags, io, r) => serveCommand(flags, io, r)));
  return cmd;
}

export interface Serving {
  url: string;
  /** The link to print: with `?token=` when a token guards the dashboard. */
  link: string;
  close(): Promise<void>;
}

/** Check the flags, open the archive and bind the port; the caller decides how long to serve. */
export async function startServe(flags: ServeFlags, io: CliIo, reporter: Reporter): Promise<Serving> {
  const host = flags.host?.trim() || '127.0.0.1';
  const port = parseWholeNumber(flags.port, '--port', 0, 65535) ?? 8080;
  const loopback = isLoopbackHost(host);
  if (!loopback && !flags.allowInsecureHttp) {
    throw new UsageError(
      `--host ${host} is not loopback: the dashboard speaks plain http, so anyone on the path could read it; put a TLS proxy in front and add --allow-insecure-http, or keep the default 127.0.0.1`,
    );
  }
  let token: string | undefined;
  if (flags.tokenFile) token = readToken(flags.tokenFile);
  else if (!loopback) token = (await import('../../dashboard/security.js')).newSecret();
  const [{ openArchive, parseArchiveFlags, selectedPortals }, { archiveFindings, createDashboardApp, startDashboard }] = await Promise.all([
    import('../archive.js'),
    import('../../dashboard/index.js'),
  ]);
  const archive = parseArchiveFlags(flags);
  const cleanup: (() => Promise<void>)[] = [];
  // --demo --allow-actions: one demo portal, the one the archive is synced from and actions go to.
  const demoConnection =
    flags.allowActions && archive.demo && !archive.db
      ? await (await import('../context.js')).connect({ demo: true }, reporter, io.env)
      : undefined;
  if (demoConnection) cleanup.push(() => demoConnection.close());
  let store: ArchiveStore;
  try {
    // Writable for one thing only: a finding's status (acknowledge, resolve). Events are only read.
    store = await openArchive(archive, io.env, { readOnly: false, reporter, demoConnection });
  } catch (err) {
    for (const c of cleanup) await c();
    throw err;
  }
  try {
    if (!(await store.portals()).length) throw new UsageError('The archive is empty: run docspace-logins sync first (or serve --demo)');
    if (archive.demo && !archive.db) await detectDemo(store);
    const portalIds = await selectedPortals(store, archive, io.env);
    const actions = flags.allowActions ? await actionRunner(flags, store, io, reporter, demoConnection) : undefined;
    if (actions && !demoConnection) cleanup.push(actions.close);
    const app = createDashboardApp({
      store,
      portalIds,
      findings: archiveFindings(store),
      actions: actions?.runner,
      token,
      onError: (err) => reporter.warn(`dashboard: ${(err as Error).message ?? String(err)}`),
    });
    const running = await startDashboard(app, { host, port });
    const shown = running.url.replace('://0.0.0.0:', '://localhost:').replace('://[::]:', '://localhost:');
    return {
      url: running.url,
      link: token && !flags.tokenFile ? `${shown}?token=${encodeURIComponent(token)}` : shown,
      close: async () => {
        await running.close();
        for (const c of cleanup) await c();
        await store.close();
      },
    };
  } catch (err) {
    for (const c of cleanup) await c();
    await store.close();
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw new UsageError(`port ${port} on ${host} is in use: pick another with --port (0 = any free port)`);
    if ((err as NodeJS.ErrnoException).code === 'EADDRNOTAVAIL') throw new UsageError(`--host ${host} is not an address of this machine`);
    throw err;
  }
}

/**
 * `serve --demo` opens a new archive that no `detect` has run over: the built-in rules run once, so
 * the demo shows its finding queue and the Overview's findings instead of "No findings".
 */
async function detectDemo(store: ArchiveStore): Promise<void> {
  const [{ detectArchive }, { builtinRules }] = await Promise.all([import('../../detect/run.js'), import('../../detect/load.js')]);
  for (const p of await store.portals()) await detectArchive(store, { portalId: p.id, rules: builtinRules() });
}

/**
 * `--allow-actions`: the log-out buttons act through `respond` on the portal serve is configured
 * for (--portal/--profile/DOCSPACE_URL, or the demo portal), and only on that portal's pages.
 */
async function actionRunner(flags: ServeFlags, store: ArchiveStore, io: CliIo, reporter: Reporter, given?: Connected) {
  const [{ connect }, { respond }, { respondRunner }, { DEMO_PORTAL_KEY }] = await Promise.all([
    import('../context.js'),
    import('../../respond/index.js'),
    import('../../dashboard/respond-runner.js'),
    import('../archive.js'),
  ]);
  // --allow-insecure-http is about the dashboard's own address here, not the portal's.
  const conn = given ?? (await connect({ portal: flags.portal, profile: flags.profile, demo: Boolean(flags.demo) }, reporter, io.env));
  try {
    const portal = await store.portal(flags.demo ? DEMO_PORTAL_KEY : conn.client.portal);
    if (!portal) throw new UsageError(`--allow-actions: the archive holds no portal ${conn.client.portal}: run docspace-logins sync first`);
    const runner = respondRunner<DocSpaceClient, ArchiveStore>({
      respond: (o) => respond({ ...o, portalId: portal.id }),
      clientFor: (id) => (id === portal.id ? conn.client : undefined),
      store,
    });
    reporter.note(`Actions act on ${conn.label} (log-out buttons on its pages, each confirmed first).`);
    return { runner, close: () => conn.close() };
  } catch (err) {
    if (conn !== given) await conn.close();
    throw err;
  }
}

/** What `serve` reaches outside the process with, replaceable in tests. */
export interface ServeDeps {
  /** Opens a link in the browser (`--open`); by default the platform's opener (xdg-open, open, start). */
  openBrowser?: (url: string) => Promise<void>;
  /** Resolves when serving should end; by default at Ctrl-C or SIGTERM. */
  stopped?: Promise<void>;
}

export async function serveCommand(flags: ServeFlags, io: CliIo, reporter: Reporter, deps: ServeDeps = {}): Promise<number> {
  const serving = await startServe(flags, io, reporter);
  // Ctrl-C is handled before the URL is printed: whoever waits for the URL (a supervisor, a test)
  // may stop it at once, and the signal must then end the server cleanly rather than kill it.
  const stopped =
    deps.stopped ??
    new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
  io.stdout.write(`Dashboard: ${serving.link}\n`);
  if (serving.link !== serving.url && !flags.tokenFile) {
    reporter.note('The link carries the access token: it is shown once, and opening it sets a cookie in that browser.');
  }
  reporter.note('Ctrl-C stops it.');
  if (flags.open) {
    (deps.openBrowser ?? openBrowser)(serving.link).catch(() => reporter.warn(`could not open a browser: open ${serving.link} yourself`));
  }
  await stopped;
  await serving.close();
  return 0;
}

function readToken(path: string): string {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new UsageError(`Cannot read the token file ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'}): check the path`);
  }
  const token = text.trim();
  if (token.length < 16) throw new UsageError(`The token in ${path} is shorter than 16 characters: use a long random one`);
  return token;
}

/** The platform's way to open a link; rejects when that program cannot be started. */
function openBrowser(url: string): Promise<void> {
  const [cmd, args] =
    process.platform === 'darwin' ? ['open', [url]] : process.platform === 'win32' ? ['cmd', ['/c', 'start', '', url]] : ['xdg-open', [url]];
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
    child.once('error', reject);
    child.once('spawn', () => resolve());
    child.unref();
  });
}
