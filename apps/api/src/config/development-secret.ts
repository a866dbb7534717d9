import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Where `npm start` keeps its signing key between restarts (under the git-ignored `data/`). */
export const DEVELOPMENT_SECRET_FILE = 'data/jwt-secret';

/**
 * In development without JWT_SECRET: the key kept in `file` from an earlier start, or `generated`
 * written there (owner-only) for the next one, so a restart does not sign everyone out. Never
 * used in production (JWT_SECRET is required there) nor in tests (each run its own key).
 */
export function keepDevelopmentSecret(generated: string, file = DEVELOPMENT_SECRET_FILE): string {
  try {
    const kept = readFileSync(file, 'utf8').trim();
    if (kept.length >= 32) return kept;
  } catch {
    // none yet
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${generated}\n`, { mode: 0o600 });
  return generated;
}
