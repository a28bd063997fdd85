/**
 * Browser and platform from a User-Agent, the way the server's UAParser conventions print them
 * (`Chrome 125`, `Mac OS X 10 Apple Mac`), with its special cases for the desktop editors.
 */
import type { Device } from './data/catalogue.js';

/** Browser rules, first match wins: the order matters (Edge and Opera also say Chrome). */
const BROWSER_RULES: Array<[RegExp, (m: RegExpExecArray, mobile: boolean, ua: string) => string]> = [
  [/AscDesktopEditor\/(\d+(?:\.\d+)?)/, (m) => `Desktop Editors ${m[1]}`],
  [/Edg(?:e|A|iOS)?\/(\d+)/, (m) => `Edge ${m[1]}`],
  [/OPR\/(\d+)/, (m) => `Opera ${m[1]}`],
  [/SamsungBrowser\/(\d+)/, (m) => `Samsung Internet ${m[1]}`],
  [/(?:Firefox|FxiOS)\/(\d+)/, (m, mobile) => `${mobile ? 'Firefox Mobile' : 'Firefox'} ${m[1]}`],
  [/CriOS\/(\d+)/, (m) => `Chrome Mobile iOS ${m[1]}`],
  [/Chrome\/(\d+)/, (m, mobile) => `${mobile ? 'Chrome Mobile' : 'Chrome'} ${m[1]}`],
  [/Version\/(\d+).*Safari/, (m, _mobile, ua) => `${/iPhone/.test(ua) ? 'Mobile Safari' : 'Safari'} ${m[1]}`],
  [/^curl\/(\d+)/, (m) => `curl ${m[1]}`],
  [/python-requests\/(\d+)/i, (m) => `Python Requests ${m[1]}`],
];

const WINDOWS_VERSIONS: Record<string, string> = { '10.0': '10', '6.3': '8.1', '6.2': '8', '6.1': '7' };

const PLATFORM_RULES: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/Windows NT (\d+\.\d+)/, (m) => `Windows ${WINDOWS_VERSIONS[m[1]] ?? m[1]}`],
  [/iPhone OS (\d+)/, (m) => `iOS ${m[1]} Apple iPhone`],
  [/iPad.*OS (\d+)/, (m) => `iOS ${m[1]} Apple iPad`],
  [/Mac OS X (\d+)/, (m) => `Mac OS X ${m[1]} Apple Mac`],
  [/Android (\d+)/, (m) => `Android ${m[1]}`],
  [/CrOS/, () => 'Chrome OS'],
  [/Ubuntu/, () => 'Ubuntu'],
  [/Linux/, () => 'Linux'],
];

/** Browser and platform the way the server's UAParser conventions print them. */
export function parseUserAgent(ua: string | undefined): Device {
  if (!ua) return { browser: null, platform: null };
  const mobile = /Mobile|iPhone|Android/.test(ua);
  let browser = 'Other';
  for (const [re, name] of BROWSER_RULES) {
    const m = re.exec(ua);
    if (m) {
      browser = name(m, mobile, ua);
      break;
    }
  }
  let platform = 'Other';
  for (const [re, name] of PLATFORM_RULES) {
    const m = re.exec(ua);
    if (m) {
      platform = name(m);
      break;
    }
  }
  return { browser, platform };
}
