import { describe, expect, it } from "vitest";
import { userAgentInWords } from "./user-agent";

// Real User-Agent strings, as browsers and clients send them.
const CASES: readonly (readonly [string, string])[] = [
  [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Chrome 131 on Linux",
  ],
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Chrome 131 on Windows",
  ],
  [
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Chrome 131 on Android",
  ],
  [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_7 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1",
    "Chrome 131 on iOS",
  ],
  [
    "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Chrome 131 on ChromeOS",
  ],
  [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Ubuntu Chromium/120.0.6099.71 Chrome/120.0.6099.71 Safari/537.36",
    "Chromium 120 on Linux",
  ],
  [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.6778.85 Safari/537.36",
    "Headless Chrome 131 on Linux",
  ],
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
    "Edge 131 on Windows",
  ],
  [
    "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36 EdgA/131.0.0.0",
    "Edge 131 on Android",
  ],
  [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/70.0.3538.102 Safari/537.36 Edge/18.19045",
    "Edge 18 on Windows",
  ],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 OPR/115.0.0.0",
    "Opera 115 on macOS",
  ],
  [
    "Mozilla/5.0 (Linux; Android 13; SM-S901B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36",
    "Samsung Internet 26 on Android",
  ],
  ["Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0", "Firefox 133 on Linux"],
  ["Mozilla/5.0 (Android 14; Mobile; rv:131.0) Gecko/131.0 Firefox/131.0", "Firefox 131 on Android"],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Firefox 133 on macOS",
  ],
  [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) FxiOS/119.0 Mobile/15E148 Safari/605.1.15",
    "Firefox 119 on iOS",
  ],
  [
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Safari 17 on macOS",
  ],
  [
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Safari 17 on iOS",
  ],
  [
    "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/16.6 Mobile/15E148 Safari/604.1",
    "Safari 16 on iOS",
  ],
  ["curl/8.5.0", "curl"],
  ["Wget/1.21.4", "Wget"],
  ["proximityctl/0.1.0", "proximityctl"],
  ["node", "Node.js client"],
  ["undici", "Node.js client"],
  ["axios/1.7.9", "Node.js client"],
  ["python-requests/2.32.3", "Python client"],
  ["Go-http-client/1.1", "Go client"],
];

describe("userAgentInWords", () => {
  it.each(CASES)("names %s as %s", (userAgent, words) => {
    expect(userAgentInWords(userAgent)).toBe(words);
  });

  it("says Unknown browser for nothing and for what it cannot read, with the system where it can", () => {
    expect(userAgentInWords(null)).toBe("Unknown browser");
    expect(userAgentInWords(undefined)).toBe("Unknown browser");
    expect(userAgentInWords("  ")).toBe("Unknown browser");
    expect(userAgentInWords("SomeRobot/2.0 (+https://example.com/bot)")).toBe("Unknown browser");
    expect(userAgentInWords("Mozilla/5.0 (X11; Linux x86_64)")).toBe("Unknown browser on Linux");
  });

  it("names a browser without a system it knows by the browser alone", () => {
    expect(userAgentInWords("Mozilla/5.0 (FreeBSD amd64; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe(
      "Firefox 133",
    );
  });

  it("takes no product word inside another for a client", () => {
    expect(userAgentInWords("nodejs-crawler Chrome/131.0 (Windows NT 10.0)")).toBe("Chrome 131 on Windows");
  });
});
