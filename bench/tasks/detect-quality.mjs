// Detection quality for one seed: a generated history with labelled scenarios, every built-in
// rule over it, findings scored against the ground truth /__emulator/scenarios serves (the same
// state, read in process). Prints JSON: events, benign, labelled, found, groupedRight, falseAboveLow.
// Usage: node bench/tasks/detect-quality.mjs SEED EVENTS
import { createEmulatorApp } from '../../dist/emulator/index.js';
import { builtinRules, detect } from '../../dist/detect/index.js';
import { detectMembers } from '../../dist/detect/directory.js';
import { scoreFindings } from '../../dist/detect/quality.js';
import { DocSpaceClient, normaliseEvent, parseApiDate } from '../../dist/index.js';
import { readDirectory } from '../../dist/sync/people.js';

const [seed, count] = process.argv.slice(2).map(Number);
const app = createEmulatorApp({ seed, events: count, days: 180, now: Date.parse('2025-07-01T10:00:00Z'), scenarios: true });
const origin = 'https://quality.docspace.test';
// The people directory through the library, answered in memory (the URL only passes the transport check).
const client = new DocSpaceClient({ portal: 'http://127.0.0.1:9', credentials: { kind: 'apiKey', apiKey: app.state.apiKey }, send: (r) => app.fetch(r) });
const people = detectMembers(await readDirectory(client));
await client.close();
const events = [];
app.state.store.scan((row) => {
  const served = app.state.renderEvent(row, origin);
  events.push(normaliseEvent(served, parseApiDate(served.date)));
});
events.reverse();
const scenarios = app.state.scenarios;
app.close();
const findings = await detect(events, { people, secret: 'bench' }, builtinRules());
const score = scoreFindings(findings, scenarios, people);
const attackEvents = new Set(scenarios.filter((s) => s.malicious).flatMap((s) => s.eventIds));
console.log(
  JSON.stringify({
    events: events.length,
    benign: events.filter((e) => !attackEvents.has(e.id)).length,
    labelled: score.scenarios.length,
    found: score.scenarios.filter((s) => s.found).length,
    groupedRight: score.scenarios.filter((s) => s.groupedRight !== false).length,
    missed: score.scenarios.filter((s) => !s.found).map((s) => s.id),
    falseAboveLow: score.falseFindings.length,
    falseRules: score.falseFindings.map((f) => `${f.rule}/${f.severity}`),
  }),
);
