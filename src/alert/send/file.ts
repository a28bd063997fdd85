/** NDJSON appended to a file: one alert document per line, for log shippers and for `tail -f`. */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FileDestination } from '../destination.js';
import { alertDocument } from '../payload.js';
import type { Alert, DeliveryResult } from '../types.js';
import { errorText, type Sender } from './context.js';

export function fileSender(dest: FileDestination): Sender {
  return {
    key: dest.key,
    label: dest.label,
    minIntervalMs: dest.minIntervalMs,
    async send(alert: Alert): Promise<DeliveryResult> {
      try {
        await mkdir(dirname(dest.path), { recursive: true });
        // One write call per line: appends of a few kB are not interleaved between processes.
        await appendFile(dest.path, `${JSON.stringify(alertDocument(alert))}\n`, 'utf8');
        return { status: 'delivered' };
      } catch (err) {
        return { status: 'retry', error: `${dest.label}: ${errorText(err)}` };
      }
    },
    async close() {},
  };
}
