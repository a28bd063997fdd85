/** A horizontal bar chart for the terminal: pure, so reports can test it as text. */
const BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];

export function barChart(rows: ReadonlyArray<{ label: string; value: number }>, width = 40): string {
  if (!rows.length) return '';
  const max = Math.max(...rows.map((r) => r.value), 1);
  const labelWidth = Math.max(...rows.map((r) => r.label.length));
  const valueWidth = Math.max(...rows.map((r) => String(r.value).length));
  return rows
    .map((r) => {
      const eighths = Math.round((r.value / max) * width * 8);
      const bar = '█'.repeat(Math.floor(eighths / 8)) + BLOCKS[eighths % 8];
      return `${r.label.padEnd(labelWidth)}  ${String(r.value).padStart(valueWidth)} ${bar}`.trimEnd();
    })
    .join('\n');
}
