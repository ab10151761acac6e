import { mkdir } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

/** tests/browser/screenshots/: reviewed by people, never committed. */
export const SCREENSHOTS_DIR = fileURLToPath(new URL("../screenshots/", import.meta.url));

/** Saves the whole page (not only the viewport) as screenshots/<name>.png and returns the path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9._-]*$/.test(name))
    throw new Error(`screenshot name ${name} is not a plain file name`);
  await mkdir(SCREENSHOTS_DIR, { recursive: true });
  const path = `${SCREENSHOTS_DIR}${name}.png`;
  // Animations are off so a spinner or transition is captured in one state.
  await page.screenshot({ path, fullPage: true, animations: "disabled" });
  return path;
}
