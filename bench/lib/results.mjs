// What a run measured, judged against the catalogue, and the Markdown of BENCHMARKS.md.
import { CATALOGUE } from './catalogue.mjs';
import { fmt } from './format.mjs';

const PENDING = 'to be measured';

export function ratioText(value, unit) {
  if (!Number.isFinite(value)) return '—';
  if (unit === 'units') return `${fmt(value, 2)} units`;
  if (unit === 'share') return `${fmt(value * 100, value < 0.1 ? 1 : 0)}%`;
  return `${fmt(value, 2)}×`;
}

/** A target as set, without padding: "≤ 1.3 units", "≥ 85%", "≥ 3×". */
export function targetText(t) {
  if (!t) return '—';
  const v = (x) => String(Number(x.toFixed(3)));
  if (t.unit === 'units') return `${t.op} ${v(t.value)} units`;
  if (t.unit === 'share') return `${t.op} ${v(t.value * 100)}%`;
  return `${t.op} ${v(t.value)}×`;
}

function judge(target, value) {
  if (!target || !Number.isFinite(value)) return undefined;
  return target.op === '≤' ? value <= target.value : value >= target.value;
}

export class Results {
  constructor(size) {
    this.size = size;
    this.rows = new Map();
    this.limits = new Map();
    this.skipped = new Map();
    this.notes = new Map();
    this.failed = new Set();
  }

  /** A row's two raw figures, as text, and the ratio its target is judged on. */
  record(id, { measured, baseline, ratio }) {
    this.rows.set(id, { measured, baseline, ratio });
  }

  /** An absolute figure held to a machine-independent limit (requests, megabytes). */
  limit(id, value) {
    this.limits.set(id, value);
  }

  /** A row or limit that could not be measured on this machine, and why. */
  skip(id, reason) {
    this.skipped.set(id, reason);
  }

  /** A section that threw: its rows not yet measured say so, and the run fails. */
  fail(sectionId, error) {
    const section = CATALOGUE.find((s) => s.id === sectionId);
    // The first line of the error, without the emulator's key (a failed task's command line holds it).
    const first = String(error?.message ?? error).split('\n')[0].replace(/sk-[0-9a-f]{6,}/gi, 'sk-…');
    const reason = `failed: ${first.slice(0, 120)}`;
    this.failed.add(sectionId);
    for (const r of [...section.rows, ...(section.limits ?? [])]) {
      if (!this.rows.has(r.id) && !this.limits.has(r.id)) this.skipped.set(r.id, reason);
    }
  }

  /** A line under a section's method: raw figures a reader may want beyond the table. */
  note(sectionId, line) {
    this.notes.set(sectionId, [...(this.notes.get(sectionId) ?? []), line]);
  }

  /** Every judged row with its verdict: `ok` is undefined where there is nothing to judge yet. */
  verdicts() {
    const out = [];
    for (const section of CATALOGUE) {
      for (const row of section.rows) {
        const r = this.rows.get(row.id);
        out.push({ id: row.id, kind: 'ratio', what: row.what(this.size), ok: r ? judge(row.target, r.ratio) : undefined });
      }
      for (const l of section.limits ?? []) {
        const v = this.limits.get(l.id);
        out.push({ id: l.id, kind: 'limit', what: l.what(this.size), ok: v === undefined ? undefined : v <= l.limit });
      }
    }
    return out;
  }

  /** What was measured, for another program (bench/ab.mjs): rows, limits and skips by id. */
  toJSON() {
    return {
      size: this.size.name,
      rows: Object.fromEntries(this.rows),
      limits: Object.fromEntries(this.limits),
      skipped: Object.fromEntries(this.skipped),
      failed: [...this.failed],
    };
  }

  missed() {
    return this.verdicts().filter((v) => v.ok === false);
  }

  /** The Markdown tables and sections; `only` limits the sections to those that ran. */
  markdown(only) {
    const sections = CATALOGUE.filter((s) => !only || only.has(s.id));
    const verdict = (ok, pending) => (ok === undefined ? pending : ok ? 'met' : '**missed**');
    const gone = (skip) => (!skip ? '' : skip.startsWith('failed') ? '**failed**' : 'skipped');
    const ratios = [
      '| what | measured | baseline, same run | ratio | target | |',
      '|---|---:|---:|---:|---:|---|',
    ];
    const limits = ['| what | measured | limit | |', '|---|---:|---:|---|'];
    for (const s of sections) {
      for (const row of s.rows) {
        const r = this.rows.get(row.id);
        const skip = this.skipped.get(row.id);
        const cells = r
          ? [r.measured, r.baseline, ratioText(r.ratio, row.target?.unit ?? row.unit ?? 'times')]
          : [skip ?? PENDING, '', ''];
        const target = row.target ? targetText(row.target) : (row.pending ?? '—');
        const judged = r ? verdict(judge(row.target, r.ratio), row.pending ? 'not judged yet' : 'measured') : gone(skip);
        ratios.push(`| ${row.what(this.size)} | ${cells.join(' | ')} | ${target} | ${judged} |`);
      }
      for (const l of s.limits ?? []) {
        const v = this.limits.get(l.id);
        const skip = this.skipped.get(l.id);
        const shown = v === undefined ? (skip ?? PENDING) : `${fmt(v, 0)} ${l.unit}`;
        const judged = v === undefined ? gone(skip) : verdict(v <= l.limit);
        limits.push(`| ${l.what(this.size)} | ${shown} | ≤ ${fmt(l.limit)} ${l.unit} | ${judged} |`);
      }
    }
    const body = [];
    for (const s of sections) {
      body.push(`## ${s.title}`, '', ...s.method(this.size), '');
      const notes = this.notes.get(s.id);
      if (notes) body.push(...notes.map((n) => `- ${n}`), '');
    }
    return { ratios, limits: limits.length > 2 ? limits : [], body };
  }
}
