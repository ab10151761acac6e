import { existsSync } from "node:fs";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** Debian's Chromium (scripts/ensure-browser.sh installs it); CHROMIUM_PATH points elsewhere. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

/** A headless Chromium quiet on the network: no updates, sync or QUIC probes while tests run. */
export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH))
    throw new Error(
      `no Chromium at ${CHROMIUM_PATH}: run scripts/ensure-browser.sh (apt-get install chromium)`,
    );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // --no-sandbox: tests run as root, where Chromium's sandbox cannot start.
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/**
 * Browser-generated lines that are not the console's fault: the API refusing a request (4xx, e.g.
 * 401 from GET /api/auth/me before sign-in, 404 for another user's app: the tests assert what the
 * page shows for those) and resources of other origins failing (catalog icons on the internet, which
 * this machine cannot reach: the page shows its fallback). Anything else logged as an error fails
 * the test: a script error, a 5xx, and every Content-Security-Policy violation (Chromium reports
 * those as console errors). A missing same-origin file is a 404 like any other 4xx: the page's
 * own assertions catch what it breaks.
 */
function isExpectedNoise(text: string, url: string, origin: string): boolean {
  if (/^Failed to load resource: the server responded with a status of 4\d\d\b/.test(text)) return true;
  if (/^EventSource's response has a status 4\d\d\b/.test(text)) return true;
  if (/^Failed to load resource: net::ERR_/.test(text) && url !== "" && !url.startsWith(origin)) return true;
  return false;
}

/** Every page error and console error of a browser context, checked at the end of each test. */
export class ProblemLog {
  readonly #problems: string[] = [];

  constructor(context: BrowserContext, origin: string) {
    context.on("console", (message) => {
      if (message.type() !== "error") return;
      const url = message.location().url;
      if (isExpectedNoise(message.text(), url, origin)) return;
      const page = message.page()?.url() ?? "?";
      this.#problems.push(`console error on ${page}: ${message.text()}${url ? ` (${url})` : ""}`);
    });
    context.on("weberror", (error) => {
      this.#problems.push(
        `page error on ${error.page()?.url() ?? "?"}: ${error.error().stack ?? error.error()}`,
      );
    });
  }

  /** What was reported so far and not yet consumed. */
  get problems(): readonly string[] {
    return [...this.#problems];
  }

  /** Removes and returns the problems matching `pattern` (for a test that provokes one on purpose). */
  take(pattern: RegExp): string[] {
    const taken = this.#problems.filter((problem) => pattern.test(problem));
    const rest = this.#problems.filter((problem) => !pattern.test(problem));
    this.#problems.splice(0, this.#problems.length, ...rest);
    return taken;
  }

  /** Throws with every problem reported (and forgets them, so one failure is not reported twice). */
  assertNone(): void {
    const problems = this.#problems.splice(0);
    if (problems.length > 0)
      throw new Error(`the browser reported ${problems.length} problem(s):\n- ${problems.join("\n- ")}`);
  }
}

export interface BrowserSession {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly problems: ProblemLog;
  close(): Promise<void>;
}

export interface SessionOptions {
  /** Default 1280×800; a phone is 375×812. */
  readonly viewport?: { width: number; height: number };
}

/**
 * A fresh browser context (its own cookies: one per person) on the console at `baseUrl`, with a
 * page open on nothing yet and every problem it reports recorded.
 */
export async function openSession(
  browser: Browser,
  baseUrl: string,
  { viewport = { width: 1280, height: 800 } }: SessionOptions = {},
): Promise<BrowserSession> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    viewport,
    locale: "en-GB",
    timezoneId: "UTC",
    reducedMotion: "reduce",
    // Generous: the platform shares two cores with everything else running.
  });
  context.setDefaultTimeout(20_000);
  context.setDefaultNavigationTimeout(30_000);
  const problems = new ProblemLog(context, new URL(baseUrl).origin);
  const page = await context.newPage();
  return { context, page, problems, close: () => context.close() };
}
