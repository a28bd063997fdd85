/**
 * Builders and loopback receivers shared by the alert tests: a finding with sensible defaults,
 * a settable clock, an HTTP receiver that records every request, and a free port.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as netServer } from 'node:net';
import type { AlertFinding } from '../../src/alert/index.js';

/** 2026-03-02T09:30:00Z: every test clock starts here. */
export const T0 = Date.UTC(2026, 2, 2, 9, 30, 0);

export function finding(overrides: Partial<AlertFinding> = {}): AlertFinding {
  return {
    id: 'dsl-003:198.51.100.7',
    rule: 'DSL-003',
    title: 'Password spray from one IP',
    severity: 'high',
    portal: 'https://acme.docspace.example',
    groupKey: '198.51.100.7',
    firstSeen: T0 - 20 * 60_000,
    lastSeen: T0 - 60_000,
    count: 18,
    eventIds: [81234, 81235, 81240],
    evidence: { ip: '198.51.100.7', country: 'Germany', targets: 6, perTarget: { 'anna@acme.example': 3, 'bob@acme.example': 3 } },
    status: 'open',
    revision: 1,
    suggestedResponse: {
      summary: 'Block 198.51.100.7 at the proxy and check the targeted accounts for later successes.',
      commands: ['docspace-logins history --ip 198.51.100.7 --since 1h'],
    },
    ...overrides,
  };
}

export class Clock {
  constructor(public t = T0) {}
  readonly now = (): number => this.t;
  advance(ms: number): void {
    this.t += ms;
  }
}

export interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

export interface Receiver {
  url: string;
  port: number;
  received: Received[];
  /** What the next requests get; the last entry repeats. */
  respond: Array<{ status: number; headers?: Record<string, string> }>;
  close(): Promise<void>;
}

/** An HTTP receiver on 127.0.0.1 that records requests and answers from `respond`. */
export async function receiver(port = 0): Promise<Receiver> {
  const received: Received[] = [];
  const state: Receiver = { url: '', port: 0, received, respond: [{ status: 200 }], close: async () => {} };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = state.respond.length > 1 ? state.respond.shift()! : state.respond[0];
      res.writeHead(answer.status, answer.headers).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}/hook`;
  state.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return state;
}

/** A port nothing listens on (taken, then released). */
export async function freePort(): Promise<number> {
  const s = netServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}
