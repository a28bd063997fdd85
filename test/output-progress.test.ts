// The progress line on a terminal: its count, then what the work is doing once the count says nothing more.
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';
import { createMultiProgress, createProgress } from '../src/output/progress.js';

/** A stream that says it is a 120-column terminal and keeps what is written, escape sequences removed. */
function terminal() {
  let text = '';
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, cb) {
        text += String(chunk).replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '');
        cb();
      },
    }),
    { isTTY: true, columns: 120, cursorTo: () => true, clearLine: () => true, moveCursor: () => true },
  );
  return { stream, text: () => text };
}

it('shows the ETA while counting and the stage once one is set', () => {
  const t = terminal();
  const p = createProgress({ stream: t.stream, enabled: true, label: 'Syncing demo' });
  // The first update draws the bar; later ones redraw at the bar's own pace.
  p.update(0, 100, { events: 0 });
  p.update(100, 100, { events: 10000 });
  p.stage('building indexes…');
  const shown = t.text();
  p.stop();
  expect(shown).toMatch(/Syncing demo \[.*\] 0% \| 0 events \| ETA \d+s/);
  // Drawn at once, in place of the ETA.
  expect(shown).toMatch(/Syncing demo \[.*\] 100% \| 10000 events \| building indexes…$/);
});

it('is silent when disabled, stage included', () => {
  const t = terminal();
  const p = createProgress({ stream: t.stream, enabled: false, label: 'x' });
  p.update(1, 2);
  p.stage('building indexes…');
  p.stop();
  const m = createMultiProgress({ stream: t.stream, enabled: false });
  m.line('a').stage('building indexes…');
  m.stop();
  expect(t.text()).toBe('');
});
