import { checkRoomName, foldRoomName, slugOf } from './room-name';

describe('room names', () => {
  it.each([
    ['General', 'general'],
    ['ＧＥＮＥＲＡＬ', 'general'],
    ['gеnеrаl', 'general'], // Cyrillic е and а
    ['Genera1', 'general'],
    ['Gé-né ral', 'general'],
    ['ops', 'ops'],
    ['0ps', 'ops'],
    ['modern', 'modem'],
  ])('folds %j to %j', (name, key) => {
    expect(foldRoomName(name)).toBe(key);
  });

  it('refuses empty, too long and invisible names', () => {
    expect(checkRoomName('  ')).toMatchObject({ ok: false });
    expect(checkRoomName('x'.repeat(65))).toMatchObject({ ok: false });
    expect(checkRoomName('é'.repeat(64))).toMatchObject({ ok: true });
    expect(checkRoomName('a\u0000b')).toMatchObject({ ok: false });
    expect(checkRoomName('a\u200Db')).toMatchObject({ ok: false });
    expect(checkRoomName('a\u202Eb')).toMatchObject({ ok: false });
    expect(checkRoomName('---')).toMatchObject({ ok: false });
    expect(checkRoomName('  Night shift 🌙 ')).toEqual({
      ok: true,
      name: 'Night shift 🌙',
      key: 'nlghtshlft🌙',
    });
  });

  it('makes ids from names', () => {
    expect(slugOf('Night shift 🌙')).toBe('night-shift');
    expect(slugOf('Été à Paris')).toBe('ete-a-paris');
    expect(slugOf('日本')).toBe('room');
  });
});
