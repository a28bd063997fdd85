// The rows and columns of `events --archive --output FILE` as plain SQL, for the baselines that
// write the same export without our code: newest first, the portal's wall clock as the Date.

const OFFSET = `CASE WHEN offset_minutes = 0 THEN 'Z' ELSE printf('%s%02d:%02d', CASE WHEN offset_minutes < 0 THEN '-' ELSE '+' END, abs(offset_minutes) / 60, abs(offset_minutes) % 60) END`;

/** [header, SQL expression] in the export's column order. */
export const EXPORT_COLUMNS = [
  ['ID', 'id'],
  ['Date', `strftime('%Y-%m-%dT%H:%M:%S', time / 1000 + offset_minutes * 60, 'unixepoch') || ${OFFSET}`],
  ['User', 'user_name'],
  ['Login', 'login'],
  ['Action', 'action'],
  ['Kind', 'kind'],
  ['IP', 'ip'],
  ['Country', 'country'],
  ['City', 'city'],
  ['Browser', 'browser'],
  ['Platform', 'platform'],
  ['Page', 'page'],
  ['User ID', 'user_id'],
  ['Anonymous', `CASE anonymous WHEN 1 THEN 'true' ELSE 'false' END`],
];

export function exportSql(limit) {
  const cols = EXPORT_COLUMNS.map(([header, expr]) => `${expr} AS "${header}"`).join(', ');
  return `SELECT ${cols} FROM events ORDER BY time DESC, id DESC LIMIT ${Number(limit)}`;
}
