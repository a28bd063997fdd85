/** Shared helpers for the emulator tests: real HTTP on loopback (`call`) or the in-memory app (`ask`). */
/* global Request */
import type { EmulatorApp, RunningEmulator } from '../../src/emulator/index.js';

export const NOW = Date.parse('2025-07-01T10:00:00Z');

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
   
  json: any;
}

export async function call(
  emu: RunningEmulator,
  path: string,
  init: RequestInit & { key?: string | null } = {},
): Promise<Reply> {
  const headers = new Headers(init.headers);
  if (init.key !== null && !headers.has('authorization')) {
    headers.set('authorization', `Bearer ${init.key ?? emu.apiKey}`);
  }
  const res = await fetch(`${emu.url}${path.startsWith('/') ? path : `/api/2.0/${path}`}`, {
    ...init,
    headers,
  });
  return reply(res);
}

/** A response as the tests read it: status, headers, text, and JSON when the text is JSON. */
async function reply(res: Response): Promise<Reply> {
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, text, json };
}

/** The origin in-memory requests are addressed to (no socket behind it). */
export const APP_ORIGIN = 'http://portal.test';

/** `call` through `app.fetch`: the same request, answered in memory. */
export async function ask(
  app: EmulatorApp,
  path: string,
  init: RequestInit & { key?: string | null } = {},
): Promise<Reply> {
  const headers = new Headers(init.headers);
  if (init.key !== null && !headers.has('authorization')) {
    headers.set('authorization', `Bearer ${init.key ?? app.state.apiKey}`);
  }
  const url = `${APP_ORIGIN}${path.startsWith('/') ? path : `/api/2.0/${path}`}`;
  const res = await app.fetch(new Request(url, { ...init, headers }));
  return reply(res);
}

/** Ids of the whole history, newest first, as stored (ties in stored order). */
export function storedIds(emu: RunningEmulator): number[] {
  return emu.state.allEvents().map((e) => e.id);
}

/**
 * Ids that must appear in the newest-first window [start, start+count), and ids that may: a tie
 * run cut by an edge of the window contributes a random subset of its members.
 */
export function expectedWindow(emu: RunningEmulator, start: number, count: number) {
  const store = emu.state.store;
  const ids = storedIds(emu);
  const end = Math.min(ids.length, start + count);
  const must = new Set<number>();
  const may = new Set<number>();
  if (start >= end) return { must, may };
  const [topFrom] = store.tieRun(start);
  const [, bottomTo] = store.tieRun(end - 1);
  const [firstRunFrom, firstRunTo] = store.tieRun(start);
  const [lastRunFrom, lastRunTo] = store.tieRun(end - 1);
  for (let p = topFrom; p < bottomTo; p++) {
    const cut =
      (p >= firstRunFrom && p < firstRunTo && firstRunFrom < start) ||
      (p >= lastRunFrom && p < lastRunTo && lastRunTo > end);
    if (cut) may.add(ids[p]);
    else must.add(ids[p]);
  }
  return { must, may };
}

export const API_DATE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}(Z|[+-]\d{2}:\d{2})$/;
