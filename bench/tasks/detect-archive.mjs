// All built-in rules over an archive, oldest first, as `detect --since all` does, then
// incremental detection of the newest N events from the engine state the first pass exported
// (state as JSON, as it is persisted; the N events read after the state's last position, as
// `detectNew` reads them). Both read through the store's detection scan, the read the CLI makes.
// Also a read-only pass over the same rows (the baseline that isolates the engine).
// Prints JSON: events, readMs, fullMs (and their CPU time: the process's, and the main thread's), findings, byRule, incremental { events, ms, stateBytes }.
// Usage: node bench/tasks/detect-archive.mjs FILE [N=1000]
import { readFileSync } from 'node:fs';
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { builtinRules, Detector } from '../../dist/detect/index.js';
import { detectMembers } from '../../dist/detect/directory.js';
import { openStore } from '../../dist/store/index.js';

const [file, n = '1000'] = process.argv.slice(2);
const fresh = Number(n);
// The fixture holds events only: its members are the same generator's (seed 3, 400 users).
const source = createEmulatorApp({ seed: 3, events: 0, users: 400 });
const people = detectMembers(
  source.state.people.map((p) => ({
    id: p.id, displayName: p.displayName, userName: p.userName, email: p.email, status: p.status,
    role: p.role === 'roomAdmin' ? 'room_admin' : p.role, registeredAt: p.registered, terminatedAt: p.status === 2 ? (p.terminated ?? null) : null,
  })),
);
source.close();
const ctx = { people, secret: 'bench' };
const rules = builtinRules();
const store = await openStore(file, { readOnly: true });
const portal = Math.min(...(await store.portals()).map((p) => p.id));
const total = await store.countEvents({ portalIds: [portal] });
const first = total - fresh;

// Baseline: the same rows read and turned into events, nothing else.
const cpuMs = (since) => {
  const c = process.cpuUsage(since);
  return (c.user + c.system) / 1000;
};
// The main thread's own CPU time (Linux: its /proc task; null elsewhere): the scan reads on a
// worker thread past its first rows, so the process's time counts both threads.
const mainCpuMs = () => {
  try {
    const fields = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return null;
  }
};
const since = (m) => (m === null ? null : mainCpuMs() - m);
let started = performance.now();
let cpu = process.cpuUsage();
let main = mainCpuMs();
let read = 0;
scan: for await (const chunk of store.scanDetectEvents(portal)) {
  for (const e of chunk) {
    if (read === first) break scan;
    if (e.id) read++;
  }
}
const readMs = performance.now() - started;
const readCpuMs = cpuMs(cpu);
const readMainCpuMs = since(main);

// `detect --since all`: every rule over everything but the newest N, then the state to keep.
started = performance.now();
cpu = process.cpuUsage();
main = mainCpuMs();
const detector = new Detector(rules, ctx);
const found = new Map();
let k = 0;
full: for await (const chunk of store.scanDetectEvents(portal)) {
  for (const e of chunk) {
    if (k === first) break full;
    detector.push(e);
    if (++k % 8192 === 0) for (const f of detector.drain()) found.set(f.id, f.rule);
  }
}
for (const f of detector.drain()) found.set(f.id, f.rule);
const stateJson = JSON.stringify(detector.exportState());
const fullMs = performance.now() - started;
const fullCpuMs = cpuMs(cpu);
const fullMainCpuMs = since(main);

// Incremental: the kept state, the N newest events read after its position, their findings, the new state.
started = performance.now();
const kept = JSON.parse(stateJson);
const next = new Detector(rules, ctx, kept);
let newest = 0;
for await (const chunk of store.scanDetectEvents(portal, {}, [kept.lastTs, kept.lastId])) {
  for (const e of chunk) next.push(e);
  newest += chunk.length;
}
const changed = next.drain().length;
const stateBytes = JSON.stringify(next.exportState()).length;
const incrementalMs = performance.now() - started;
await store.close();
const byRule = {};
for (const rule of found.values()) byRule[rule] = (byRule[rule] ?? 0) + 1;
console.log(
  JSON.stringify({
    events: k, read, readMs, fullMs, readCpuMs, fullCpuMs, readMainCpuMs, fullMainCpuMs, findings: found.size, byRule,
    incremental: { events: newest, ms: incrementalMs, changed, stateBytes },
  }),
);
