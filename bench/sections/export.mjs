// Exports of archived events against programs that write the same rows without our code.
import { join } from 'node:path';
import { exportSql } from '../lib/export-sql.mjs';
import { countLines } from '../lib/files.mjs';
import { fmt, perSecond, secs } from '../lib/format.mjs';
import { CLI, hasProgram, measure, runTask } from '../lib/process.mjs';
import { bigArchive } from './archive.mjs';

export async function exports(ctx) {
  const big = await bigArchive(ctx);
  const n = ctx.size.exportEvents;
  const ours = async (format) => {
    ctx.log(`exporting ${fmt(n)} archived events to ${format.toUpperCase()}...`);
    const file = join(ctx.dir, `export.${format}`);
    const r = await measure([CLI, 'events', '--archive', '--db', big, '--limit', String(n), '--output', file, '-q']);
    ctx.results.limit(`export.${format}.rssMb`, r.rssMb);
    return { ...r, file };
  };
  const shown = (r) => `${secs(r.ms)} (${fmt(perSecond(n, r.ms))}/s)`;

  const csv = await ours('csv');
  if (hasProgram('sqlite3')) {
    const file = join(ctx.dir, 'baseline.csv');
    const base = await measure(['-csv', '-header', big, exportSql(n)], { command: 'sqlite3', stdoutFile: file });
    const [ourLines, baseLines] = [csv.file, file].map(countLines);
    if (ourLines !== baseLines) throw new Error(`CSV: ours has ${ourLines} lines, sqlite3's ${baseLines}`);
    ctx.results.record('export.csv', { measured: shown(csv), baseline: `sqlite3 -csv ${shown(base)}`, ratio: base.ms / csv.ms });
  } else {
    ctx.results.skip('export.csv', 'skipped: sqlite3 not installed');
  }

  const xlsx = await ours('xlsx');
  const base = await runTask('exceljs-write.mjs', [big, join(ctx.dir, 'baseline.xlsx'), String(n)]);
  if (base.rows !== n) throw new Error(`XLSX: exceljs wrote ${base.rows} rows of ${n}`);
  ctx.results.record('export.xlsx', {
    measured: shown(xlsx),
    baseline: `exceljs ${shown({ ms: base.wallMs })}`,
    ratio: base.wallMs / xlsx.ms,
  });
  ctx.results.note('export', `Peak RSS: CSV ${fmt(csv.rssMb, 0)} MB, XLSX ${fmt(xlsx.rssMb, 0)} MB; exceljs ${fmt(base.rssMb, 0)} MB.`);
}
