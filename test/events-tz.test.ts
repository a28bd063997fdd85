// `events --tz`: times at the chosen zone, like the reports; the UTC instant never changes.
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/cli.js';

describe('events --tz', () => {
  it('shows every event at the zone\'s offset at that instant, live and from the archive, in JSON and CSV', async () => {
    const r = await cli(['events', '--demo', '--since', '3d', '--limit', '30', '--format', 'json', '--tz', 'Asia/Kolkata']);
    expect(r.code, r.stderr).toBe(0);
    const kolkata = JSON.parse(r.stdout) as Array<{ id: number; date: string; offset: string; localDate: string }>;
    expect(kolkata).toHaveLength(30);
    for (const e of kolkata) {
      expect(e.offset).toBe('+05:30');
      const shifted = new Date(Date.parse(e.date) + 330 * 60_000).toISOString().slice(0, 19);
      expect(e.localDate).toBe(`${shifted}+05:30`);
    }
    const csv = await cli(['events', '--archive', '--demo', '--since', '3d', '--limit', '5', '--format', 'csv', '--tz', 'UTC']);
    expect(csv.code, csv.stderr).toBe(0);
    for (const line of csv.stdout.trim().split('\n').slice(1)) expect(line.split(',')[1]).toMatch(/Z$/);
  });

  it('a zone that does not exist is a usage error', async () => {
    const r = await cli(['events', '--demo', '--tz', 'Mars/Base']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/is not a time zone/);
  });
});
