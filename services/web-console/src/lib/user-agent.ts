/**
 * A User-Agent header in words for people ("Chrome 131 on Linux", "Firefox on Android", "curl",
 * "Unknown browser"): the sessions page names each signed-in browser by it. A best guess, never a
 * proof (any client may send any string), so the page keeps the string itself at hand too.
 */

/** Programs that name themselves first ("curl/8.5.0"): shown by name alone. */
const CLIENTS: readonly (readonly [RegExp, string])[] = [
  [/^curl\//i, "curl"],
  [/^wget\//i, "Wget"],
  [/^proximityctl\b/i, "proximityctl"],
  // Node's own fetch sends "node"; older fetch libraries name themselves.
  [/^(?:node|undici|node-fetch|axios)\b/i, "Node.js client"],
  [/^(?:python-requests|python-urllib|python-httpx|aiohttp)\b/i, "Python client"],
  [/^go-http-client\//i, "Go client"],
];

/**
 * Browsers, the first that matches wins: Chromium-based browsers also say "Chrome", and every
 * Chromium and WebKit browser says "Safari", so the specific names come first. The group is the
 * major version, where the browser gives one.
 */
const BROWSERS: readonly (readonly [RegExp, string])[] = [
  [/\bEdg(?:e|A|iOS)?\/(\d+)/, "Edge"],
  [/\b(?:OPR|OPT)\/(\d+)/, "Opera"],
  [/\bSamsungBrowser\/(\d+)/, "Samsung Internet"],
  [/\b(?:Firefox|FxiOS)\/(\d+)/, "Firefox"],
  [/\bHeadlessChrome\/(\d+)/, "Headless Chrome"],
  [/\bChromium\/(\d+)/, "Chromium"],
  [/\b(?:Chrome|CriOS)\/(\d+)/, "Chrome"],
  [/\bVersion\/(\d+)[^ ]* (?:Mobile\/[^ ]+ )?Safari\//, "Safari"],
  [/\bSafari\//, "Safari"],
];

/** Systems, in the same way: Android says "Linux", iOS says "like Mac OS X", ChromeOS says "X11". */
const SYSTEMS: readonly (readonly [RegExp, string])[] = [
  [/\bWindows\b/, "Windows"],
  [/\bAndroid\b/, "Android"],
  [/\bCrOS\b/, "ChromeOS"],
  [/\b(?:iPhone|iPad|iPod)\b/, "iOS"],
  [/\b(?:Macintosh|Mac OS X)\b/, "macOS"],
  [/\b(?:Linux|X11)\b/, "Linux"],
];

export const UNKNOWN_BROWSER = "Unknown browser";

export function userAgentInWords(userAgent: string | null | undefined): string {
  const text = userAgent?.trim() ?? "";
  if (text === "") return UNKNOWN_BROWSER;
  const client = CLIENTS.find(([pattern]) => pattern.test(text));
  if (client) return client[1];

  let browser = UNKNOWN_BROWSER;
  for (const [pattern, name] of BROWSERS) {
    const match = pattern.exec(text);
    if (match) {
      browser = match[1] ? `${name} ${match[1]}` : name;
      break;
    }
  }
  const system = SYSTEMS.find(([pattern]) => pattern.test(text))?.[1];
  return system ? `${browser} on ${system}` : browser;
}
