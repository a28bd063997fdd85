/**
 * A fast 32-bit hash of a text (FNV-1a, then a finaliser that spreads its bits): for seeds and
 * hash tables, never where an attacker could choose colliding texts to harm (secrets get keyed HMACs).
 */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
