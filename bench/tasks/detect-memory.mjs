// All built-in rules over N generated events held in memory (no database): the engine's own
// rate. Prints JSON: events, wall and CPU ms, findings. Usage: node bench/tasks/detect-memory.mjs N [seed] [FILE]
// (FILE: write the findings there, to compare two builds of the engine).
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { builtinRules, detect } from '../../dist/detect/index.js';
import { detectMembers } from '../../dist/detect/directory.js';
import { writeFileSync } from 'node:fs';
import { normaliseEvent, parseApiDate } from '../../dist/index.js';

const [count = '200000', seed = '3', out] = process.argv.slice(2);
const app = createEmulatorApp({ seed: Number(seed), events: Number(count), days: 180, users: 400, now: Date.parse('2025-07-01T10:00:00Z') });
const events = [];
app.state.store.scan((row) => {
  const served = app.state.renderEvent(row, 'https://bench.docspace.test');
  events.push(normaliseEvent(served, parseApiDate(served.date)));
});
events.reverse();
const people = detectMembers(
  app.state.people.map((p) => ({
    id: p.id, displayName: p.displayName, userName: p.userName, email: p.email, status: p.status,
    role: p.role === 'roomAdmin' ? 'room_admin' : p.role, registeredAt: p.registered, terminatedAt: p.status === 2 ? (p.terminated ?? null) : null,
  })),
);
app.close();
const rules = builtinRules();
const started = performance.now();
const cpu0 = process.cpuUsage();
const findings = await detect(events, { people, secret: 'bench' }, rules);
const ms = performance.now() - started;
const cpu = process.cpuUsage(cpu0);
const cpuMs = (cpu.user + cpu.system) / 1000;
if (out) writeFileSync(out, JSON.stringify(findings));
console.log(JSON.stringify({ events: events.length, ms, cpuMs, findings: findings.length, eventsPerSecond: Math.round(events.length / (ms / 1000)) }));
