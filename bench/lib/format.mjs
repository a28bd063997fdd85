// Number formatting and small statistics shared by the benchmark sections.

export const fmt = (n, digits = 0) =>
  Number(n).toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** 1,000,000 → "1M", 100,000 → "100k": sizes in row titles. */
export function short(n) {
  if (n >= 1_000_000 && n % 1_000_000 === 0) return `${n / 1_000_000}M`;
  if (n >= 1_000 && n % 1_000 === 0) return `${n / 1_000}k`;
  return fmt(n);
}

export const ms = (v) => `${fmt(v, 0)} ms`;
export const secs = (v) => `${fmt(v / 1000, v < 10_000 ? 2 : 1)} s`;
export const perSecond = (events, elapsedMs) => events / (elapsedMs / 1000);

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

