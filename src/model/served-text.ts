/**
 * A string a portal served, as every path keeps it: U+0000 becomes U+FFFD (the replacement
 * character). The typed login is whatever an attacker posts to the login form, and a member's
 * name whatever they typed into their profile; PostgreSQL cannot store U+0000 in text (SQLite's
 * string functions stop at it), so one such value failed every later sync into PostgreSQL.
 * Replaced where events and members enter, the live read, the archive and the exports show the
 * same value; the served object (`raw`) keeps the original, escaped in its JSON.
 */
export function servedText(s: string): string {
  return s.includes('\0') ? s.replaceAll('\0', '\uFFFD') : s;
}

export function servedTextOrNull(s: string | null | undefined): string | null {
  return s == null ? null : servedText(s);
}
