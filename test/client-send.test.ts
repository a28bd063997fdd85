/**
 * The client over an injected `fetch(Request) → Response`: no socket, the same layers (auth,
 * retry, shared pause) as over the network, as the emulator's in-memory app will drive it.
 */
import { describe, expect, it } from 'vitest';
import { DocSpaceClient, UnavailableError } from '../src/index.js';

const KEY = `sk-${'ab12'.repeat(16)}`;
const lifetime = { loginHistoryLifeTime: 180, auditTrailLifeTime: 180 };
const ok = (response: unknown) =>
  new Response(JSON.stringify({ response, count: 1, links: [], status: 0, statusCode: 200 }), {
    headers: { 'content-type': 'application/json; charset=utf-8' },
  });

describe('a client given `send`', () => {
  it('sends "Authorization: Bearer sk-…" through it and unwraps the envelope', async () => {
    const seen: Request[] = [];
    const client = new DocSpaceClient({
      portal: 'https://acme.example.com',
      credentials: { kind: 'apiKey', apiKey: KEY },
      send: async (req) => {
        seen.push(req);
        return ok(lifetime);
      },
    });
    await expect(client.auditSettings()).resolves.toMatchObject(lifetime);
    expect(seen).toHaveLength(1);
    expect(seen[0].url).toBe('https://acme.example.com/api/2.0/security/audit/settings/lifetime');
    expect(seen[0].headers.get('authorization')).toBe(`Bearer ${KEY}`);
  });

  it('retries a bare 429 after the announced wait, then succeeds', async () => {
    const answers = [new Response(null, { status: 429, headers: { 'x-ratelimit-limit': '60', 'x-ratelimit-remaining': '0' } }), ok(lifetime)];
    const waits: number[] = [];
    const client = new DocSpaceClient({
      portal: 'https://acme.example.com',
      credentials: { kind: 'apiKey', apiKey: KEY },
      send: async () => answers.shift()!,
      sleep: async (ms) => {
        waits.push(ms);
      },
      now: () => 0,
    });
    await expect(client.auditSettings()).resolves.toMatchObject(lifetime);
    expect(waits[0]).toBe(1000);
    expect(client.stats.retries).toBe(1);
  });

  it('a `send` that never answers meets the same deadline', async () => {
    const client = new DocSpaceClient({
      portal: 'https://acme.example.com',
      credentials: { kind: 'apiKey', apiKey: KEY },
      send: () => new Promise<Response>(() => {}),
      timeoutMs: 50,
      retry: { attempts: 1 },
    });
    const err = await client.auditSettings().catch((e) => e);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toMatch(/did not answer within/);
  });
});
