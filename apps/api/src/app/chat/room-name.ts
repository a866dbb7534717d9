import { ROOM_NAME_MAX } from '@realtime/contracts';

/**
 * Room names: what a person may call a room, and the key under which two names count as the
 * same. The key folds what a reader cannot tell apart at a glance: compatibility forms (NFKC:
 * full-width letters, ligatures, styled maths letters), case, accents, separators, the Cyrillic
 * and Greek letters that look Latin, and digits that pass for letters (`0`/`o`, `1`/`l`/`i`).
 * It is deliberately coarse: a false "taken" costs a user a different name, a false "free"
 * lets someone impersonate a room. Unicode's full confusables table (UTS #39) would catch
 * more; this covers the scripts our users type, without a dependency.
 */

/** Letters of other scripts that render like a Latin one, and digits that pass for letters. */
const LOOK_ALIKES: Record<string, string> = {
  // Cyrillic
  а: 'a',
  в: 'b',
  е: 'e',
  ё: 'e',
  к: 'k',
  м: 'm',
  н: 'h',
  о: 'o',
  р: 'p',
  с: 'c',
  т: 't',
  у: 'y',
  х: 'x',
  ѕ: 's',
  і: 'l',
  ї: 'l',
  ј: 'j',
  ԁ: 'd',
  ԛ: 'q',
  ԝ: 'w',
  ү: 'y',
  һ: 'h',
  ӏ: 'l',
  ɡ: 'g',
  // Greek
  α: 'a',
  β: 'b',
  ε: 'e',
  η: 'n',
  ι: 'l',
  κ: 'k',
  ν: 'v',
  ο: 'o',
  ρ: 'p',
  τ: 't',
  υ: 'u',
  χ: 'x',
  γ: 'y',
  ω: 'w',
  μ: 'u',
  // Latin look-alikes of Latin letters and digits
  ı: 'l',
  ł: 'l',
  ø: 'o',
  đ: 'd',
  ħ: 'h',
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  '0': 'o',
  '1': 'l',
  '|': 'l',
  i: 'l',
  '3': 'e',
  '5': 's',
  $: 's',
  '@': 'a',
};

/** Characters that print nothing or reorder text: refused outright, never folded away. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\u2028\u2029]/u;

export type RoomNameCheck = { ok: true; name: string; key: string } | { ok: false; message: string };

/** The key two names share when a reader could take one for the other. */
export function foldRoomName(name: string): string {
  const base = name.normalize('NFKC').toLowerCase().normalize('NFD').replace(/\p{M}/gu, '');
  let out = '';
  for (const ch of base) {
    if (/[\s\p{P}\p{Z}]/u.test(ch) && ch !== '@' && ch !== '|') continue;
    out += LOOK_ALIKES[ch] ?? ch;
  }
  // Pairs that render like one letter in most fonts.
  return out.replace(/rn/g, 'm').replace(/vv/g, 'w');
}

/** Trims and checks a proposed name: empty, too long, invisible or control characters. */
export function checkRoomName(raw: string): RoomNameCheck {
  const name = raw.normalize('NFC').trim();
  if (INVISIBLE.test(name)) {
    return { ok: false, message: 'name: control, format or invisible characters are not allowed' };
  }
  if (!name) return { ok: false, message: 'name: must not be empty' };
  const length = [...name].length;
  if (length > ROOM_NAME_MAX) {
    return { ok: false, message: `name: must be at most ${ROOM_NAME_MAX} characters (got ${length})` };
  }
  const key = foldRoomName(name);
  if (!key) return { ok: false, message: 'name: needs at least one letter or digit' };
  return { ok: true, name, key };
}

/** A room id for a new name: its Latin letters and digits, `-` between words, at most 40. */
export function slugOf(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'room';
}
