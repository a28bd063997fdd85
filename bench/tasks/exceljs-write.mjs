// XLSX baseline: the export's rows and columns, read with better-sqlite3 and written by exceljs's
// streaming WorkbookWriter (a date-formatted Date column, as ours writes).
// Usage: node bench/tasks/exceljs-write.mjs FILE.sqlite OUT.xlsx N → {"rows":…}
import Database from 'better-sqlite3';
import ExcelJS from 'exceljs';
import { EXPORT_COLUMNS, exportSql } from '../lib/export-sql.mjs';

const [file, out, limit] = process.argv.slice(2);
const db = new Database(file, { readonly: true });
const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: out, useStyles: true, useSharedStrings: false });
const sheet = workbook.addWorksheet('Events');
sheet.columns = EXPORT_COLUMNS.map(([header], i) => ({
  header,
  key: String(i),
  ...(header === 'Date' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}),
}));
const DATE = EXPORT_COLUMNS.findIndex(([header]) => header === 'Date');
const ANONYMOUS = EXPORT_COLUMNS.findIndex(([header]) => header === 'Anonymous');
let rows = 0;
for (const values of db.prepare(exportSql(limit)).raw().iterate()) {
  // The wall-clock text as a Date whose UTC fields carry it, the way spreadsheets show time.
  values[DATE] = new Date(`${values[DATE].slice(0, 19)}Z`);
  values[ANONYMOUS] = values[ANONYMOUS] === 'true';
  sheet.addRow(values).commit();
  rows++;
}
sheet.commit();
await workbook.commit();
db.close();
process.stdout.write(JSON.stringify({ rows }));
