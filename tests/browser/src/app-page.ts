import type { Page } from "playwright-core";

/**
 * The app page's parts the journeys watch. The status line beside the page's title is a live
 * region: the status word (a StatusBadge: the word carries the meaning, the colour only helps),
 * its message and the operation in progress. The log is the "Activity" live region.
 */
export function appStatusLine(page: Page) {
  return page.getByRole("main").locator(".page-header").getByRole("status");
}

export function appStatus(page: Page) {
  return appStatusLine(page).locator(".badge");
}

export function logLines(page: Page) {
  return page.getByRole("log", { name: "Activity" }).locator(".log-line");
}
