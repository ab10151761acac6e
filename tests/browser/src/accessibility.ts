import { AxeBuilder } from "@axe-core/playwright";
import type { Page } from "playwright-core";

/** WCAG 2.2 AA, as the console promises (axe's tags for each level and version). */
export const WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];
const BLOCKING = new Set(["serious", "critical"]);

type AxeResults = Awaited<ReturnType<AxeBuilder["analyze"]>>;
type Violation = AxeResults["violations"][number];

/** One line per failing element: rule, impact, what is wrong, where. */
export function describeViolations(violations: readonly Violation[]): string {
  return violations
    .flatMap((violation) =>
      violation.nodes.map(
        (node) =>
          `[${violation.impact}] ${violation.id}: ${violation.help} — ${node.target.join(" ")}\n    ${node.failureSummary?.replace(/\n/g, "\n    ") ?? ""}`,
      ),
    )
    .join("\n");
}

/**
 * Scans the page as it is now with axe-core and throws, listing each element, when a rule of
 * WCAG 2.2 AA is broken with a serious or critical impact (minor and moderate ones are returned).
 */
export async function expectAccessible(page: Page, what: string): Promise<Violation[]> {
  const results = await new AxeBuilder({ page }).withTags(WCAG_TAGS).analyze();
  const blocking = results.violations.filter((violation) => BLOCKING.has(violation.impact ?? ""));
  if (blocking.length > 0)
    throw new Error(`${what} (${page.url()}) breaks WCAG 2.2 AA:\n${describeViolations(blocking)}`);
  return results.violations;
}
