/** A hand-made login event for output tests: Anna's API sign-in in Berlin, with `over` applied. */
import { type LoginEvent, normaliseEvent } from '../../src/model/event.js';
import { parseApiDate } from '../../src/model/time.js';

export function sampleEvent(over: Partial<Record<string, unknown>> = {}): LoginEvent {
  const raw = {
    id: 48213,
    date: '2025-06-03T14:05:09.0000000+02:00',
    user: 'Anna Schmidt',
    userId: '3f1c2a7e-9b44-4d1e-8c0a-5a6b7c8d9e01',
    action: 'Successful Login via API',
    actionId: 1010,
    ip: '203.0.113.24',
    country: 'Germany',
    city: 'Berlin',
    browser: 'Chrome 125',
    platform: 'Windows 10',
    page: 'https://acme.example.com/login',
    ...over,
  } as Parameters<typeof normaliseEvent>[0];
  return normaliseEvent(raw, parseApiDate(raw.date)!);
}
