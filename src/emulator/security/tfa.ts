/**
 * The authenticator-app codes the emulator accepts: six digits derived from the member and the
 * 30-second step of the emulator's clock, so tests can compute the right one (and a wrong one).
 */
import { createHash } from 'node:crypto';

const STEP_MS = 30_000;

export function tfaCode(userId: string, time: number): string {
  const step = Math.floor(time / STEP_MS);
  const digest = createHash('sha256').update(`tfa:${userId}:${step}`).digest();
  return String(digest.readUInt32BE(0) % 1_000_000).padStart(6, '0');
}

/** The current step's code, or the previous one (a code typed just as it rolled over). */
export function tfaCodeValid(userId: string, code: string, time: number): boolean {
  return code === tfaCode(userId, time) || code === tfaCode(userId, time - STEP_MS);
}
