/**
 * A whole generated portal. Generation is columnar: events are written straight into typed
 * arrays in generation order, sorted by time with a two-pass radix sort on the second, then given
 * ids in date order. The same seed (and the same `now`) always gives the same portal; a million
 * events take a second or two.
 */
import type { ZoneOffsets } from '../../model/zone.js';
import { Rng } from '../random.js';
import { allocateColumns, COLUMN_NAMES, type Columns, createTables, type StoreTables, writeRow } from '../store.js';
import { EventGenerator, type EventSink, type SinkEvent } from './generator.js';
import { type EmulatorPerson, generatePeople } from './people.js';
import { type Scenario, type ScenarioPlan, writeScenarios } from './scenarios.js';
import { keepTravelPlausible } from './travel.js';

export interface PortalOptions {
  seed: number;
  users: number;
  events: number;
  days: number;
  /** Epoch ms: the newest generated event lies a few seconds to minutes before it. */
  now: number;
  zone: ZoneOffsets;
  portalName: string;
  domain: string;
  ownerEmail: string;
  ownerPassword: string;
  /** Write the labelled scenarios too (see scenarios.ts). */
  scenarios?: boolean;
  /** Retention in days: the scenarios keep their events inside it. */
  lifetimeDays?: number;
}

export interface GeneratedPortal {
  people: EmulatorPerson[];
  tables: StoreTables;
  /** Sorted by time ascending, ids assigned. */
  columns: Columns;
  count: number;
  /** First id used (the auto-increment where this tenant's history starts). */
  firstId: number;
  /** Epoch ms of the oldest possible generated event. */
  rangeStart: number;
  generator: EventGenerator;
  /** Ground truth of the labelled scenarios (empty without them). */
  scenarios: Scenario[];
}

/** Sink writing into pre-allocated columns (generation order). */
class ColumnSink implements EventSink {
  count = 0;
  constructor(
    readonly cols: Columns,
    readonly capacity: number,
  ) {}

  emit(e: SinkEvent): number {
    if (this.count >= this.capacity) return -1;
    const i = this.count++;
    writeRow(this.cols, i, e, e.time);
    return i;
  }

  deactivate(handle: number): void {
    this.cols.active[handle] = 0;
  }
}

/** Stable permutation sorting `keys` ascending (LSD radix, 2 × 16 bits). */
function radixOrder(keys: Uint32Array, n: number): Uint32Array {
  let perm = new Uint32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  let tmp = new Uint32Array(n);
  const counts = new Uint32Array(65_537);
  for (const shift of [0, 16]) {
    counts.fill(0);
    for (let i = 0; i < n; i++) counts[((keys[perm[i]] >>> shift) & 0xffff) + 1]++;
    for (let k = 1; k <= 65_536; k++) counts[k] += counts[k - 1];
    for (let i = 0; i < n; i++) {
      const v = perm[i];
      tmp[counts[(keys[v] >>> shift) & 0xffff]++] = v;
    }
    const swap = perm;
    perm = tmp;
    tmp = swap;
  }
  return perm;
}

function gather<T extends Float64Array | Int32Array | Uint32Array | Uint16Array | Uint8Array>(
  source: T,
  perm: Uint32Array,
  target: T,
): T {
  for (let i = 0; i < perm.length; i++) target[i] = source[perm[i]];
  return target;
}

/** Generate the whole portal. */
export function generatePortal(o: PortalOptions): GeneratedPortal {
  const rng = new Rng(o.seed);
  const tables = createTables();
  const people = generatePeople(rng.fork('people'), o, tables);
  const eventsRng = rng.fork('events');
  // The newest event is a few seconds to a few minutes before `now`.
  const end = Math.floor((o.now - eventsRng.int(3, 240) * 1000) / 1000) * 1000;
  const rangeStart = Math.ceil((o.now - o.days * 86_400_000) / 1000) * 1000;
  const generator = new EventGenerator(eventsRng, people, tables, o, end);
  const n = Math.max(0, Math.floor(o.events));
  const withScenarios = o.scenarios === true && n > 0;
  // Scenarios add a few hundred events on top of the requested background.
  const raw = allocateColumns(n + (withScenarios ? 2000 : 0));
  const sink = new ColumnSink(raw, n + (withScenarios ? 2000 : 0));
  generator.quietBackground = withScenarios;
  if (n > 0 && generator.people.some((p) => !p.neverLoggedIn)) {
    // Somebody logged in just now, so the newest event is a little before `now`.
    const owner = 0;
    generator.session(sink, owner, end, false);
    let stuck = 0;
    while (sink.count < n && stuck < 1000) {
      stuck = generator.episode(sink) > 0 ? 0 : stuck + 1;
    }
  }
  let plan: ScenarioPlan | undefined;
  let marks: Int32Array | undefined;
  if (withScenarios) {
    const background = sink.count;
    keepTravelPlausible(raw, background, people, tables);
    const oldest = o.now - (o.lifetimeDays ?? 180) * 86_400_000;
    plan = writeScenarios(generator, sink, new Rng(`scenarios:${o.seed}`), oldest);
    marks = compact(raw, sink, background, plan);
  }
  const count = sink.count;

  // Sort by second (stable: generation order within a second), then assign ids in date order.
  const keys = new Uint32Array(count);
  let base = rangeStart;
  for (let i = 0; i < count; i++) if (raw.time[i] < base) base = raw.time[i];
  for (let i = 0; i < count; i++) keys[i] = Math.max(0, (raw.time[i] - base) / 1000);
  const perm = radixOrder(keys, count);
  const headroom = Math.max(1024, Math.ceil(count / 16));
  const cols = allocateColumns(count + headroom);
  // Every column but the id, which is given below in date order.
  for (const name of COLUMN_NAMES) if (name !== 'id') gather(raw[name], perm, cols[name]);

  // A global auto-increment shared with other tenants: ids rise in date order with gaps.
  const idRng = rng.fork('ids');
  const firstId = 1000 + idRng.int(0, 90_000);
  let id = firstId;
  for (let r = 0; r < count; r++) {
    cols.id[r] = id;
    id += 1;
    if (idRng.chance(0.3)) id += idRng.int(1, 12);
    if (idRng.chance(0.0005)) id += idRng.int(100, 2000);
  }
  // OAuth rows come from another service and land a little out of date order.
  for (let r = 0; r < count - 1; r++) {
    if (cols.action[r] === 1028 && idRng.chance(0.7)) {
      const other = Math.min(count - 1, r + idRng.int(1, 3));
      const tmp = cols.id[r];
      cols.id[r] = cols.id[other];
      cols.id[other] = tmp;
    }
  }
  let scenarios: Scenario[] = [];
  if (plan && marks) {
    // Where each generated row ended up after sorting, to name the scenarios' events by id.
    const at = new Int32Array(count);
    for (let r = 0; r < count; r++) at[perm[r]] = r;
    scenarios = plan.drafts.map(({ handles, ...d }) => {
      const rows = handles.map((h) => at[marks![h]]);
      const times = rows.map((r) => cols.time[r]);
      return {
        ...d,
        eventIds: rows.map((r) => cols.id[r]),
        from: new Date(Math.min(...times)).toISOString(),
        to: new Date(Math.max(...times)).toISOString(),
      };
    });
  }
  return { people, tables, columns: cols, count, firstId, rangeStart, generator, scenarios };
}

/**
 * Drop the background rows the scenarios want quiet, closing the gaps. Returns where each
 * handle moved (-1 for dropped rows).
 */
function compact(raw: Columns, sink: ColumnSink, background: number, plan: ScenarioPlan): Int32Array {
  const moved = new Int32Array(sink.count).fill(-1);
  let w = 0;
  for (let r = 0; r < sink.count; r++) {
    if (r < background && plan.drop(r, raw.user[r], raw.login[r], raw.time[r])) continue;
    moved[r] = w;
    if (w !== r) {
      for (const name of COLUMN_NAMES) raw[name][w] = raw[name][r];
    }
    w++;
  }
  sink.count = w;
  return moved;
}
