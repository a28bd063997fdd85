/**
 * A device as DocSpace's own suspicious-login check compares them: browser and platform with the
 * version numbers dropped, so an update from Chrome 125 to 126 is not a new device.
 */
export function deviceKey(browser: string | null, platform: string | null): string {
  if (!browser && !platform) return '';
  return `${strip(browser)}|${strip(platform)}`;
}

function strip(s: string | null): string {
  return (s ?? '').replace(/\d+(?:\.\d+)*/g, ' ').replace(/\s+/g, ' ').trim();
}
