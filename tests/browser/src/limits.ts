/**
 * Time limits of the browser tests, for `vi.setConfig` at the top of each test file: a real browser
 * and the whole platform share a small machine (two cores) with whatever else runs, so a page or
 * an answer may take seconds where it usually takes milliseconds. Waits end as soon as their
 * condition holds; only failures take this long.
 */
export const BROWSER_TEST_LIMITS = {
  testTimeout: 180_000,
  hookTimeout: 180_000,
  // expect.poll's default is 1 s, less than a busy machine may need for a page to update.
  expect: { poll: { timeout: 15_000, interval: 100 } },
};
