// The watcher as a service: how long from an attack's last event to the alert at a webhook, and
// what one cycle with nothing new costs (requests and wall time).
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { fmt, ms, secs } from '../lib/format.mjs';
import { CLI, emulator, measure } from '../lib/process.mjs';
import { besideUnit } from './cold-start.mjs';

const SEED = 6;

export async function watchLatency(ctx) {
  const s = ctx.size;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  const emu = await emulator(['--events', String(s.watchEvents), '--seed', String(SEED), '--days', '30', '--users', '100']);
  const hook = await receiver();
  const db = join(ctx.dir, 'watch.sqlite');
  const env = { ...emu.env, DOCSPACE_LOGINS_WEBHOOK_SECRET: secret };
  const args = ['--db', db, '--alert', `webhook+${hook.url}`, '-q'];
  const watcher = spawn(process.execPath, [CLI, 'watch', '--every', `${s.watchEverySeconds}s`, ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    watcher.stdout.setEncoding('utf8');
    let cycles = 0;
    const cycled = [];
    watcher.stdout.on('data', (d) => {
      cycles += (d.match(/watch cycle/g) ?? []).length;
      while (cycled.length && cycled[0].n <= cycles) cycled.shift().resolve();
    });
    const afterCycles = (n) => (cycles >= n ? Promise.resolve() : new Promise((resolve) => cycled.push({ n, resolve })));
    ctx.log(`watch: first cycle over ${fmt(s.watchEvents)} events...`);
    await afterCycles(1);
    const members = await people(emu);
    let worst = 0;
    for (let run = 0; run < s.watchRuns; run++) {
      const target = members[run % members.length];
      const last = await attack(emu.url, target.email);
      const received = await hook.waitFor((body) => body.includes(target.id));
      const latency = received - last;
      worst = Math.max(worst, latency);
      ctx.log(`watch: alert ${run + 1} of ${s.watchRuns} after ${ms(latency)}`);
    }
    const budget = s.watchEverySeconds * 1000 + 2000;
    ctx.results.record('watch.latency', { measured: ms(worst), baseline: `interval + 2 s = ${secs(budget)}`, ratio: worst / budget });
  } finally {
    watcher.kill('SIGTERM');
    await once(watcher, 'exit');
  }
  try {
    const cycle = () => measure([CLI, 'watch', '--once', ...args], { env });
    // Requests are counted on one cycle; its time is the median of several, as every other
    // latency row is (one sample after the attacks above varied from 3.3 to 5.3 units), each
    // after a bare start that gives the unit beside it.
    await emu.resetStats();
    await cycle();
    const stats = await emu.stats();
    const idle = await besideUnit(ctx.size.repeats + 2, async () => (await cycle()).ms);
    ctx.results.record('watch.idle', { measured: `${ms(idle.ms)} (median of ${idle.runs})`, baseline: `unit ${ms(idle.unit)}`, ratio: idle.ms / idle.unit });
    ctx.results.limit('watch.requests', stats.requests);
    ctx.results.note('watch', `A cycle with nothing new: ${stats.requests} requests, ${ms(idle.ms)} (median of ${idle.runs}); ${hook.count()} alerts received in all.`);
  } finally {
    await hook.close();
    await emu.close();
  }
}

/** Active members with an e-mail, from the portal's own people list. */
async function people(emu) {
  const res = await fetch(`${emu.url}/api/2.0/people`, { headers: { authorization: `Bearer ${emu.key}` } });
  const list = (await res.json()).response;
  return list.filter((p) => p.email && !p.isOwner && !p.isAdmin).slice(0, 50);
}

/** Twelve wrong passwords; returns when the last was answered (epoch ms). */
async function attack(url, email) {
  for (let i = 0; i < 12; i++) {
    const res = await fetch(`${url}/api/2.0/authentication`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userName: email, password: `bench-${i}` }),
    });
    await res.arrayBuffer();
  }
  return Date.now();
}

async function receiver() {
  const bodies = [];
  const waiting = [];
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const at = Date.now();
      res.writeHead(200).end();
      bodies.push(body);
      for (const w of waiting.splice(0)) {
        if (w.match(body)) w.resolve(at);
        else waiting.push(w);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${server.address().port}/hook`,
    count: () => bodies.length,
    waitFor: (match, timeoutMs = 120_000) =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no alert within ${secs(timeoutMs)}`)), timeoutMs);
        waiting.push({ match, resolve: (at) => (clearTimeout(timer), resolve(at)) });
      }),
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}
