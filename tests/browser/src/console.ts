import type { Locator, Page } from "playwright-core";

/** Signs in through the console's sign-in form, as a person would, from wherever the page is. */
export async function signIn(page: Page, username: string, password: string): Promise<void> {
  if (!new URL(page.url(), "http://x").pathname.startsWith("/sign-in")) await page.goto("/sign-in");
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"));
}

/** The page's own heading (Page renders it as the one h1). */
export function pageHeading(page: Page, name: string | RegExp) {
  return page.getByRole("heading", { level: 1, name });
}

/** Opens `path` and waits for its h1, so a check never runs against a page still loading. */
export async function open(page: Page, path: string, heading: string | RegExp): Promise<void> {
  await page.goto(path);
  await pageHeading(page, heading).waitFor();
}

/** Follows a link of the main navigation (a real click, as a person would move around). */
export async function navigate(page: Page, link: string, heading: string | RegExp): Promise<void> {
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: link, exact: true }).click();
  await pageHeading(page, heading).waitFor();
}

/** No horizontal scrolling: the page fits the viewport's width (what a phone needs). */
export function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; clientWidth: number }> {
  // A string runs in the page (this package is type-checked without the DOM's types).
  return page.evaluate(
    "({ scrollWidth: document.documentElement.scrollWidth, clientWidth: document.documentElement.clientWidth })",
  );
}

/** Whether keyboard focus is on the element `locator` finds. */
export async function hasFocus(locator: Locator): Promise<boolean> {
  return (await locator.and(locator.page().locator(":focus")).count()) === 1;
}

/** What has keyboard focus, in words for a failure message (e.g. `h1 "Store"`, `a "Skip to content"`). */
export function describeFocus(page: Page): Promise<string> {
  return page.evaluate(`(() => {
    const element = document.activeElement;
    if (!element || element === document.body) return "nothing (the document body)";
    const label = element.labels && element.labels[0] ? element.labels[0].textContent : "";
    const text = (element.getAttribute("aria-label") || label || element.textContent || "").trim().slice(0, 60);
    return element.tagName.toLowerCase() + ' "' + text + '"';
  })()`);
}
