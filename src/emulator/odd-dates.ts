/** Events served with dates the real server cannot have sent, for client quarantine tests. */
import { PAGES } from './data/catalogue.js';
import type { OddDate } from './options.js';
import type { EmulatorState } from './state.js';

/**
 * Append the owner's API login, served with a date the server cannot have sent. The row sits
 * at the head like any new event (it was written now); only its printed date is wrong.
 */
export function appendOddDate(state: EmulatorState, odd: OddDate): { id: number; date: string } {
  const owner = state.people[0];
  const place = owner.places[0];
  const id = state.writeEvent({
    userId: owner.id,
    action: 1010,
    ip: place.ip,
    device: owner.device,
    page: PAGES.api,
    active: false,
  });
  const now = state.now();
  let date: string;
  if (odd.kind === 'future') date = state.formatDate(now + odd.hours * 3_600_000);
  else if (odd.kind === 'year-0001') date = '0001-01-01T00:00:00.0000000Z';
  else if (odd.kind === 'year-9999') date = '9999-12-31T23:59:59.9999999Z';
  else date = `${state.formatDate(now).slice(0, 27)}+99:99`;
  state.renderer.dateOverrides.set(id, date);
  return { id, date };
}
