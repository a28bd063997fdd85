/**
 * The comparable form of a place name: accents and case dropped, punctuation to single spaces,
 * and the saint abbreviations spelled out, so "St.-Petersburg", "Sankt Petersburg" and
 * "saint petersburg" meet. scripts/build-geo.mjs carries a copy of this function: keep them equal.
 */
export function foldPlace(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/ß/g, 'ss')
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
    .replace(/^(st|sankt|san kt|ste)\s/, 'saint ');
}
