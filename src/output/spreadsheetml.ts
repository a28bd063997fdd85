/**
 * SpreadsheetML, the XML inside an .xlsx, as text: the fixed parts of a one-sheet workbook and
 * the XML of a row. Pure functions; `xlsx.ts` streams the rows and zips the parts.
 *
 * Text is always an inline string cell (`t="inlineStr"`), never a formula, so a typed login
 * like `=HYPERLINK(…)` stays text. Dates are numbers (Excel serial days) with a date format.
 */
import type { CellValue } from './writer.js';

const DATE_FORMAT = 'yyyy-mm-dd hh:mm:ss';

/** Indexes into `cellXfs` in `STYLES_XML`. */
const STYLE_HEADER = 1;
const STYLE_DATE = 2;

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const DOC_REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const XML_DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n';

/** Excel holds at most this many characters in a cell, and repairs (drops) longer ones. */
const MAX_CELL_CHARS = 32767;
/** Excel's limit for a worksheet name. */
const MAX_SHEET_NAME = 31;
const MS_PER_DAY = 86_400_000;
/** Excel's serial day of 1970-01-01 (its day 1 is 1900-01-01, and it counts a 29 February 1900). */
const UNIX_EPOCH_SERIAL = 25569;
/**
 * Serials before 1900-03-01 are off by one in Excel (the 1900 leap-year bug), and Excel has no
 * date after 9999-12-31: such dates go out as ISO text.
 */
const FIRST_EXACT_SERIAL = 61;
const LAST_SERIAL = 2958466;

/**
 * What text content cannot hold as is: markup characters, CR (an XML parser turns it into LF),
 * characters XML 1.0 forbids, and `_xHHHH_`, which Excel reads as an escaped character. (A lone
 * surrogate, also illegal, becomes U+FFFD when the text is encoded as UTF-8.)
 */
const SPECIAL = /[&<>\r\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_/;
const SPECIAL_ALL = new RegExp(SPECIAL.source, 'g');
/** Characters no worksheet name may hold. */
const CONTROL = /[\u0000-\u001F\uFFFE\uFFFF]/g;
/** Leading or trailing white space, or a line break: kept only with xml:space="preserve". */
const NEEDS_PRESERVE = /^\s|\s$|\n/;

function escapeSpecial(match: string): string {
  switch (match) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '\r':
      return '&#13;';
  }
  // `_x005F_` is Excel's escape for the underscore itself; a lone character is illegal in XML: dropped.
  return match.length > 1 ? `_x005F${match}` : '';
}

/** Text as XML character data that Excel reads back unchanged. */
export function xmlText(text: string): string {
  return SPECIAL.test(text) ? text.replace(SPECIAL_ALL, escapeSpecial) : text;
}

/** Text for an attribute value in double quotes. */
function xmlAttr(text: string): string {
  return xmlText(text).replace(/"/g, '&quot;');
}

/** At most `max` UTF-16 units, without splitting a surrogate pair. */
function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const code = text.charCodeAt(max - 1);
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max);
}

/** A1-style column letters of a 0-based column index: 0 → A, 25 → Z, 26 → AA. */
export function columnLetters(index: number): string {
  let n = index + 1;
  let out = '';
  while (n > 0) {
    const rem = (n - 1) % 26;
    out = String.fromCharCode(65 + rem) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

/**
 * A name Excel accepts for a worksheet: no []:*?/\ (replaced by `_`), no apostrophe at either
 * end, not empty, at most 31 characters, and not "History" (reserved by Excel).
 */
export function sheetName(title: string): string {
  const clean = (text: string) => text.replace(/[[\]:*?/\\]/g, '_').replace(/^'+|'+$/g, '');
  let name = clean(truncate(clean(title.replace(CONTROL, '')), MAX_SHEET_NAME));
  if (!name.trim()) name = 'Sheet1';
  if (name.toLowerCase() === 'history') name = `${name}_`;
  return name;
}

/**
 * Text that goes out as is: no character to escape or drop, no white space to preserve. One test
 * for the common case (exports are mostly such text); the rest takes the slow path.
 */
const NOT_PLAIN = /[&<>\r\n\u0000-\u001F\uFFFE\uFFFF]|_x[0-9A-Fa-f]{4}_|^\s|\s$/;

export function textCell(ref: string, text: string, style = 0): string {
  const s = style ? ` s="${style}"` : '';
  if (text.length <= MAX_CELL_CHARS && !NOT_PLAIN.test(text)) {
    return `<c r="${ref}"${s} t="inlineStr"><is><t>${text}</t></is></c>`;
  }
  const t = truncate(text, MAX_CELL_CHARS);
  const space = NEEDS_PRESERVE.test(t) ? ' xml:space="preserve"' : '';
  return `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${xmlText(t)}</t></is></c>`;
}

/** The `<c>` of one value; '' (no cell) for null, undefined, '', NaN and invalid dates. */
export function cellXml(ref: string, value: CellValue): string {
  switch (typeof value) {
    case 'string':
      return value === '' ? '' : textCell(ref, value);
    case 'number':
      return Number.isFinite(value) ? `<c r="${ref}"><v>${value}</v></c>` : '';
    case 'boolean':
      return `<c r="${ref}" t="b"><v>${value ? 1 : 0}</v></c>`;
  }
  if (value instanceof Date) {
    const ms = value.getTime();
    if (Number.isNaN(ms)) return '';
    // The Date's UTC fields are what the cell shows (columns carry wall-clock time that way).
    const serial = ms / MS_PER_DAY + UNIX_EPOCH_SERIAL;
    if (serial < FIRST_EXACT_SERIAL || serial >= LAST_SERIAL) return textCell(ref, value.toISOString());
    return `<c r="${ref}" s="${STYLE_DATE}"><v>${serial}</v></c>`;
  }
  return '';
}

export interface SheetColumn {
  header: string;
  width: number;
}

/** The worksheet up to and including its header row: frozen first row, column widths. */
export function sheetStart(columns: ReadonlyArray<SheetColumn>): string {
  const cols = columns.length
    ? `<cols>${columns
        .map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width}" customWidth="1"/>`)
        .join('')}</cols>`
    : '';
  const header = columns.map((c, i) => textCell(`${columnLetters(i)}1`, c.header, STYLE_HEADER)).join('');
  return (
    `${XML_DECL}<worksheet xmlns="${MAIN_NS}" xmlns:r="${DOC_REL_NS}">` +
    '<sheetViews><sheetView tabSelected="1" workbookViewId="0">' +
    '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>' +
    '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>' +
    '</sheetView></sheetViews>' +
    `<sheetFormatPr defaultRowHeight="15"/>${cols}<sheetData><row r="1">${header}</row>`
  );
}

/** The range the auto-filter covers: the header and every row under it. */
export function filterRange(columnCount: number, lastRow: number): string | undefined {
  return columnCount ? `A1:${columnLetters(columnCount - 1)}${Math.max(1, lastRow)}` : undefined;
}

/** The end of the worksheet; the auto-filter follows the rows, so its range can cover them all. */
export function sheetEnd(columnCount: number, lastRow: number): string {
  const range = filterRange(columnCount, lastRow);
  return `</sheetData>${range ? `<autoFilter ref="${range}"/>` : ''}</worksheet>`;
}

/** A1:L9 → $A$1:$L$9 */
function absolute(range: string): string {
  return range.replace(/([A-Z]+)(\d+)/g, '$$$1$$$2');
}

export function workbookXml(name: string, columnCount: number, lastRow: number): string {
  const range = filterRange(columnCount, lastRow);
  // Excel keeps an auto-filter's range in this hidden name too, and writes it for every filter.
  const filterName = range
    ? '<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">' +
      `${xmlText(`'${name.replace(/'/g, "''")}'!${absolute(range)}`)}` +
      '</definedName></definedNames>'
    : '';
  return (
    `${XML_DECL}<workbook xmlns="${MAIN_NS}" xmlns:r="${DOC_REL_NS}">` +
    '<bookViews><workbookView/></bookViews>' +
    `<sheets><sheet name="${xmlAttr(name)}" sheetId="1" r:id="rId1"/></sheets>${filterName}</workbook>`
  );
}

export const STYLES_XML =
  `${XML_DECL}<styleSheet xmlns="${MAIN_NS}">` +
  `<numFmts count="1"><numFmt numFmtId="164" formatCode="${DATE_FORMAT}"/></numFmts>` +
  '<fonts count="2">' +
  '<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>' +
  '</fonts>' +
  // Excel expects these two fills first, whatever the workbook uses.
  '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
  '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
  '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
  '<cellXfs count="3">' +
  '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>' +
  `<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>` +
  `<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>` +
  '</cellXfs>' +
  '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>' +
  '</styleSheet>';

const CT = 'application/vnd.openxmlformats-officedocument.spreadsheetml';

export const CONTENT_TYPES_XML =
  `${XML_DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
  '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
  '<Default Extension="xml" ContentType="application/xml"/>' +
  `<Override PartName="/xl/workbook.xml" ContentType="${CT}.sheet.main+xml"/>` +
  `<Override PartName="/xl/worksheets/sheet1.xml" ContentType="${CT}.worksheet+xml"/>` +
  `<Override PartName="/xl/styles.xml" ContentType="${CT}.styles+xml"/>` +
  '</Types>';

export const ROOT_RELS_XML =
  `${XML_DECL}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${DOC_REL_NS}/officeDocument" Target="xl/workbook.xml"/>` +
  '</Relationships>';

export const WORKBOOK_RELS_XML =
  `${XML_DECL}<Relationships xmlns="${PKG_REL_NS}">` +
  `<Relationship Id="rId1" Type="${DOC_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>` +
  `<Relationship Id="rId2" Type="${DOC_REL_NS}/styles" Target="styles.xml"/>` +
  '</Relationships>';
