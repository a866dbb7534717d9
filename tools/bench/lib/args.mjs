// Command-line options of every scenario.

/** `--name value`, `--name=value`, bare `--flag` (true) and `--no-flag`; numbers where the default is one. */
export function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (!a.startsWith('--')) continue;
    let [key, value] = a.slice(2).split('=', 2);
    if (value === undefined) value = argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[++i] : 'true';
    key = key.replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (key.startsWith('no') && typeof defaults[key[2]?.toLowerCase() + key.slice(3)] === 'boolean') {
      if (value !== 'true') i--; // `--no-build` takes no value
      key = key[2].toLowerCase() + key.slice(3);
      value = 'false';
    }
    if (!(key in defaults)) throw new Error(`unknown option --${a.slice(2).split('=')[0]}`);
    out[key] =
      typeof defaults[key] === 'number'
        ? Number(value)
        : typeof defaults[key] === 'boolean'
          ? value !== 'false'
          : value;
    if (typeof defaults[key] === 'number' && !Number.isFinite(out[key]))
      throw new Error(`--${key}: not a number`);
  }
  return out;
}
