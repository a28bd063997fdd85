/**
 * How a supervisor knows the watcher works: a small JSON file rewritten after every cycle, or a
 * loopback HTTP endpoint answering 200 while the last successful cycle is recent, 503 after.
 */
import { renameSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CycleReport } from './cycle.js';

export interface HealthState {
  /** Epoch ms of the last cycle that ended ok, if any. */
  lastSuccess?: number;
  lastCycle?: number;
  lastOk?: boolean;
}

export interface Health {
  record(report: CycleReport, endedAt: number): void;
  close(): Promise<void>;
  /** The bound port, for `--health-port 0`. */
  readonly port?: number;
}

export function healthDocument(state: HealthState, now: number, staleAfterMs: number) {
  const healthy = state.lastSuccess !== undefined && now - state.lastSuccess <= staleAfterMs;
  return {
    healthy,
    lastSuccess: iso(state.lastSuccess),
    lastCycle: iso(state.lastCycle),
    lastCycleOk: state.lastOk ?? null,
    pid: process.pid,
  };
}

const iso = (t: number | undefined) => (t === undefined ? null : new Date(t).toISOString());

/** The file is replaced atomically, so a reader never sees half of it. */
export function healthFile(path: string, now: () => number, staleAfterMs: number): Health {
  const state: HealthState = {};
  return {
    record(report, endedAt) {
      update(state, report, endedAt);
      const tmp = `${path}.${process.pid}.tmp`;
      writeFileSync(tmp, `${JSON.stringify(healthDocument(state, now(), staleAfterMs))}\n`);
      renameSync(tmp, path);
    },
    async close() {},
  };
}

/** Listens on 127.0.0.1 only: health is for the local supervisor, not the network. */
export async function healthServer(port: number, now: () => number, staleAfterMs: number): Promise<Health> {
  const state: HealthState = {};
  const server: Server = createServer((req, res) => {
    const doc = healthDocument(state, now(), staleAfterMs);
    res.writeHead(req.method === 'GET' || req.method === 'HEAD' ? (doc.healthy ? 200 : 503) : 405, { 'content-type': 'application/json' });
    res.end(req.method === 'HEAD' ? undefined : `${JSON.stringify(doc)}\n`);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    record(report, endedAt) {
      update(state, report, endedAt);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function update(state: HealthState, report: CycleReport, endedAt: number): void {
  state.lastCycle = endedAt;
  state.lastOk = report.ok;
  if (report.ok) state.lastSuccess = endedAt;
}
