import { it } from "vitest";
import type { BrowserSession } from "./browser.js";
import { screenshot } from "./screenshots.js";

/**
 * Steps of one journey, run in order: each is a test of its own (so a report names the step that
 * broke), ends by checking that no browser reported a page error, a console error or a CSP
 * violation, and is skipped once an earlier step failed (it would only fail for that reason).
 * A failing step leaves a screenshot of each browser as `failed-<journey>-<n>.png`.
 */
export function journey(name: string, sessions: () => readonly (BrowserSession | undefined)[]) {
  let broken: string | undefined;
  return (step: string, body: () => Promise<void>, timeoutMs = 180_000) =>
    it(
      step,
      async (context) => {
        if (broken) context.skip(`an earlier step failed: ${broken}`);
        try {
          await body();
          for (const session of sessions()) session?.problems.assertNone();
        } catch (error) {
          broken = step;
          const open = sessions().filter((session) => session !== undefined);
          await Promise.all(
            open.map((session, n) =>
              screenshot(session.page, `failed-${name}-${n + 1}`).catch(() => undefined),
            ),
          );
          throw error;
        }
      },
      timeoutMs,
    );
}
