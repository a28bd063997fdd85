/** The period and clock every time-based report is computed for. */
import type { ZoneClock } from '../zone.js';

export interface PeriodOptions {
  since?: number;
  until?: number;
  /** The report's clock: "now" for open periods and for "days since". */
  now: number;
  clock: ZoneClock;
}
