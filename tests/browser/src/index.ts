/**
 * Real-browser tests of the web console: the whole platform with the gateway serving the built
 * console, driven through Chromium (playwright-core), checked with axe-core.
 */

export { describeViolations, expectAccessible, WCAG_TAGS } from "./accessibility.js";
export { appStatus, appStatusLine, logLines } from "./app-page.js";
export type { BrowserSession, SessionOptions } from "./browser.js";
export { CHROMIUM_PATH, launchBrowser, openSession, ProblemLog } from "./browser.js";
export {
  describeFocus,
  hasFocus,
  horizontalOverflow,
  navigate,
  open,
  pageHeading,
  signIn,
} from "./console.js";
export { deployRunning } from "./deploy.js";
export { journey } from "./journey.js";
export { BROWSER_TEST_LIMITS } from "./limits.js";
export type { ConsolePlatform } from "./platform-with-console.js";
export { BUILT_CONSOLE_DIR, builtConsoleDir, startPlatformWithConsole } from "./platform-with-console.js";
export { SCREENSHOTS_DIR, screenshot } from "./screenshots.js";
