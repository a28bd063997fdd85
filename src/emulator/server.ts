/**
 * Run the emulated portal on a loopback port: `startEmulator()` for tests, `--demo` and the
 * `emulator` command.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createEmulatorApp, type EmulatorApp } from './app.js';
import type { EmulatorOptions } from './options.js';
import type { EmulatorState } from './state.js';

export type { EmulatorOptions } from './options.js';

export interface RunningEmulator {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:40123`. */
  url: string;
  /** The owner's API key (send as `Authorization: Bearer <key>`). */
  apiKey: string;
  /** The owner's credentials for `POST /api/2.0/authentication`. */
  user: { email: string; password: string };
  portalName: string;
  app: EmulatorApp;
  state: EmulatorState;
  server: Server;
  /** Stop timers, close the listener and destroy open (keep-alive) sockets. */
  close(): Promise<void>;
}

/** Generate the portal and listen on `host` (default 127.0.0.1) and `port` (default 0 = any free). */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const app = createEmulatorApp(options);
  const server = createServer({ keepAlive: true }, app.handle);
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    app.close();
    throw err;
  }
  const address = server.address() as AddressInfo;
  const shownHost =
    address.family === 'IPv6' || address.address.includes(':') ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const state = app.state;
  return {
    url: `http://${shownHost}:${address.port}`,
    apiKey: state.apiKey,
    user: { ...state.user },
    portalName: state.portalName,
    app,
    state,
    server,
    close() {
      closing ??= new Promise<void>((resolve) => {
        app.close();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
