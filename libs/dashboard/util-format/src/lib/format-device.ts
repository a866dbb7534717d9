type Pattern = readonly [RegExp, string];

/** Checked in order: Edge and Opera also say "Chrome", Chrome also says "Safari". */
const BROWSERS: readonly Pattern[] = [
  [/Edg(?:A|iOS)?\//, 'Edge'],
  [/OPR\//, 'Opera'],
  [/Firefox\/|FxiOS\//, 'Firefox'],
  [/HeadlessChrome\//, 'Headless Chrome'],
  [/Chrome\/|CriOS\//, 'Chrome'],
  [/Safari\//, 'Safari'],
];
/** iOS also says "Mac OS X", Android also says "Linux". */
const SYSTEMS: readonly Pattern[] = [
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/Android/, 'Android'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

const found = (patterns: readonly Pattern[], text: string) => patterns.find(([re]) => re.test(text))?.[1];

/**
 * A session's device as people say it, from the user agent it signed in with: `Chrome on Linux`,
 * `Safari on iOS`, `curl` for a tool (`curl/8.5.0`), else the agent itself, cut short.
 */
export function formatDevice(userAgent: string): string {
  const browser = found(BROWSERS, userAgent);
  const system = found(SYSTEMS, userAgent);
  if (browser && system) return `${browser} on ${system}`;
  if (browser ?? system) return (browser ?? system) as string;
  const tool = /^([\w.-]+)\/\d/.exec(userAgent)?.[1];
  const text = tool ?? userAgent.trim();
  if (!text) return 'unknown device';
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}
