import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { keepDevelopmentSecret } from './development-secret';

describe('keepDevelopmentSecret', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'rt-secret-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the first key (owner-only) and returns the same key on the next start', () => {
    const file = join(dir, 'data', 'jwt-secret');
    const first = 'a'.repeat(64);
    expect(keepDevelopmentSecret(first, file)).toBe(first);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(keepDevelopmentSecret('b'.repeat(64), file)).toBe(first);
    expect(readFileSync(file, 'utf8').trim()).toBe(first);
  });

  it('replaces a kept key that is too short to sign with', () => {
    const file = join(dir, 'jwt-secret');
    writeFileSync(file, 'short\n');
    expect(keepDevelopmentSecret('c'.repeat(64), file)).toBe('c'.repeat(64));
  });
});
