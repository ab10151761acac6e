/**
 * Every page of the console against WCAG 2.2 AA with axe-core in Chromium (no serious or critical
 * violation), the keyboard paths a person without a mouse depends on, and the pages a phone shows
 * without horizontal scrolling. Any page error, console error or CSP violation fails too.
 */

import { GatewayClient } from "@proximity/e2e";
import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import {
  BROWSER_TEST_LIMITS,
  type BrowserSession,
  type ConsolePlatform,
  deployRunning,
  describeFocus,
  expectAccessible,
  hasFocus,
  horizontalOverflow,
  launchBrowser,
  logLines,
  openSession,
  pageHeading,
  screenshot,
  signIn,
  startPlatformWithConsole,
} from "../src/index.js";

const TIMEOUT = 180_000;

vi.setConfig(BROWSER_TEST_LIMITS);

let platform: ConsolePlatform;
let browser: Browser;
let hostId: string;
let userPassword: string;
let userApi: GatewayClient;
let userId: string;
let appId: string;
let anonymous: BrowserSession;
let user: BrowserSession;
let admin: BrowserSession;
let phone: BrowserSession;

beforeAll(async () => {
  platform = await startPlatformWithConsole();
  hostId = await platform.registerSimulatorHost();
  userPassword = await platform.createUser("uma");
  userApi = new GatewayClient(platform.url);
  userId = (await userApi.login("uma", userPassword)).id;
  browser = await launchBrowser();
  anonymous = await openSession(browser, platform.url);
  user = await openSession(browser, platform.url);
  admin = await openSession(browser, platform.url);
  phone = await openSession(browser, platform.url, { viewport: { width: 375, height: 812 } });
  await signIn(user.page, "uma", userPassword);
  await signIn(admin.page, platform.adminUsername, platform.adminPassword);
  await signIn(phone.page, "uma", userPassword);
}, TIMEOUT);

afterEach(() => {
  for (const session of [anonymous, user, admin, phone]) session?.problems.assertNone();
});

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

/**
 * Opens `path` and waits until its heading is there and nothing is loading any more; an app's
 * page also until its log has arrived from the event stream (what a person sees after a moment).
 */
async function settled(page: Page, path: string, heading?: string | RegExp): Promise<void> {
  await page.goto(path);
  await (heading ? pageHeading(page, heading) : page.getByRole("heading", { level: 1 })).waitFor();
  await expect.poll(() => page.locator(".state-loading").count(), { timeout: 20_000 }).toBe(0);
  if (/^\/apps\/[0-9a-f-]{36}$/.test(path) && (await page.getByRole("log").count()) > 0)
    await expect.poll(() => logLines(page).count(), { timeout: 20_000 }).toBeGreaterThan(0);
}

async function scan(page: Page, path: string, name: string, heading?: string | RegExp): Promise<void> {
  await settled(page, path, heading);
  await expectAccessible(page, name);
  await screenshot(page, `a11y-${name}`);
}

/** The links of a navigation landmark (e.g. an area's sections), as paths. */
async function sectionLinks(page: Page, navigation: string): Promise<string[]> {
  const links = await page.getByRole("navigation", { name: navigation }).getByRole("link").all();
  const hrefs = await Promise.all(links.map((link) => link.getAttribute("href")));
  const paths = hrefs.filter((href) => href !== null).map((href) => new URL(href, platform.url).pathname);
  return [...new Set(paths)];
}

describe("accessibility: pages without a session", () => {
  it("sign-in", { timeout: TIMEOUT }, async () => {
    await scan(anonymous.page, "/sign-in", "sign-in", "Sign in to Proximity");
  });

  it("keyboard: the sign-in form is filled and sent with the keyboard alone", {
    timeout: TIMEOUT,
  }, async () => {
    const session = await openSession(browser, platform.url);
    try {
      const page = session.page;
      await settled(page, "/sign-in", "Sign in to Proximity");
      // Tab to the username field (the first control), type, Tab to the password, Enter sends.
      const username = page.getByLabel("Username");
      for (let presses = 0; presses < 5 && !(await hasFocus(username)); presses++)
        await page.keyboard.press("Tab");
      expect(await hasFocus(username), `focus is on ${await describeFocus(page)}`).toBe(true);
      await page.keyboard.type("uma");
      await page.keyboard.press("Tab");
      expect(await hasFocus(page.getByLabel("Password"))).toBe(true);
      await page.keyboard.type(userPassword);
      await page.keyboard.press("Enter");
      await pageHeading(page, "My apps").waitFor();
      session.problems.assertNone();
    } finally {
      await session.close();
    }
  });
});

describe("accessibility: a user's pages", () => {
  it("my apps, empty", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/apps", "my-apps-empty", "My apps");
    await user.page.getByRole("heading", { name: "No apps yet" }).waitFor();
  });

  it("keyboard: the first Tab of a page reaches the skip link, which leads into the content", {
    timeout: TIMEOUT,
  }, async () => {
    const page = user.page;
    await settled(page, "/store", "Store");
    await page.keyboard.press("Tab");
    const skipLink = page.getByRole("link", { name: "Skip to content" });
    expect(await hasFocus(skipLink), `the first Tab reached ${await describeFocus(page)}`).toBe(true);
    // Hidden until focused, then seen.
    expect(await skipLink.isVisible()).toBe(true);
    await page.keyboard.press("Enter");
    // The fragment navigation may land after the key press resolves (seen under load): awaited.
    await page.waitForURL((url) => url.hash === "#main", { timeout: 5_000 });
    await page.keyboard.press("Tab");
    expect(await page.getByRole("main").locator(":focus").count()).toBe(1);
  });

  it("store", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/store", "store", "Store");
  });

  it("store, a search that finds nothing", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/store?search=zzzz-nothing", "store-no-match", "Store");
  });

  it("store app with its deploy form (and a catalog app with settings)", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/store/whoami", "store-app", "whoami");
    await scan(user.page, "/store/miniflux", "store-app-settings", "Miniflux");
    // The form's refusal, shown at its fields, is accessible too.
    await user.page.getByRole("button", { name: "Deploy", exact: true }).click();
    await user.page.getByRole("alert").first().waitFor();
    await expectAccessible(user.page, "store-app-form-errors");
    await screenshot(user.page, "a11y-store-app-form-errors");
  });

  it("my apps, with an app", { timeout: TIMEOUT }, async () => {
    appId = await deployRunning(userApi, { catalog_id: "whoami", hostname: "uma-whoami" });
    await scan(user.page, "/apps", "my-apps", "My apps");
    await user.page.getByRole("link", { name: "uma-whoami" }).waitFor();
  });

  it("app page", { timeout: TIMEOUT }, async () => {
    await scan(user.page, `/apps/${appId}`, "app", "uma-whoami");
    // Each section of the app at its own address (its backups among them).
    const sections = await sectionLinks(user.page, "Sections of this app");
    expect(sections).toContain(`/apps/${appId}/backups`);
    for (const path of sections) {
      if (path === `/apps/${appId}`) continue;
      await scan(user.page, path, `app-${path.split("/").pop()}`);
    }
  });

  it("app page, the delete confirmation open", { timeout: TIMEOUT }, async () => {
    await settled(user.page, `/apps/${appId}`, "uma-whoami");
    await user.page.getByRole("button", { name: "Delete", exact: true }).click();
    await user.page.getByRole("dialog").waitFor();
    await expectAccessible(user.page, "app-delete-dialog");
    await user.page.keyboard.press("Escape");
    await user.page.getByRole("dialog").waitFor({ state: "hidden" });
  });

  it("account and each of its sections (tokens among them)", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/account", "account");
    await scan(user.page, "/account/tokens", "account-tokens", /tokens/i);
    for (const path of await sectionLinks(user.page, "Account sections")) {
      if (path === "/account" || path === "/account/tokens") continue;
      await scan(user.page, path, `account-${path.split("/").pop()}`);
    }
  });

  it("not found: an unknown address and an unknown app", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/no-such-page", "not-found", "Page not found");
    await scan(user.page, "/apps/00000000-0000-4000-8000-000000000000", "app-not-found");
    await user.page
      .getByRole("heading", { name: /not found/i })
      .first()
      .waitFor();
  });

  it("forbidden: a user at the admin area", { timeout: TIMEOUT }, async () => {
    await scan(user.page, "/admin/hosts", "forbidden", "Not allowed");
  });
});

describe("accessibility: the admin area", () => {
  it("every admin section", { timeout: TIMEOUT }, async () => {
    await settled(admin.page, "/admin", "Hosts");
    const sections = await sectionLinks(admin.page, "Admin sections");
    expect(sections).toEqual(
      expect.arrayContaining(["/admin/hosts", "/admin/users", "/admin/catalog", "/admin/backups"]),
    );
    for (const path of sections) await scan(admin.page, path, `admin-${path.split("/").pop()}`);
  });

  it("a host, its edit form and the new host form", { timeout: TIMEOUT }, async () => {
    await scan(admin.page, `/admin/hosts/${hostId}`, "admin-host", "simulator");
    await scan(admin.page, `/admin/hosts/${hostId}/edit`, "admin-host-edit");
    await scan(admin.page, "/admin/hosts/new", "admin-host-new", "Add a host");
    // The form's refusal, shown at its fields.
    await admin.page.getByRole("button", { name: "Add host" }).click();
    await admin.page.getByRole("alert").first().waitFor();
    await expectAccessible(admin.page, "admin-host-new-errors");
  });

  it("a user and the new user form", { timeout: TIMEOUT }, async () => {
    await scan(admin.page, `/admin/users/${userId}`, "admin-user", /uma/);
    await scan(admin.page, "/admin/users/new", "admin-user-new", "Add a user");
  });

  it("the admin's view of an app and of all apps", { timeout: TIMEOUT }, async () => {
    await scan(admin.page, "/apps", "admin-all-apps", "All apps");
    await scan(admin.page, `/apps/${appId}`, "admin-app", "uma-whoami");
  });
});

describe("a phone's screen (375 px wide)", () => {
  for (const [name, path, heading] of [
    ["my apps", "/apps", "My apps"],
    ["the app page", "", "uma-whoami"],
    ["the app's backups", "backups", "uma-whoami"],
    ["the store", "/store", "Store"],
  ] as const) {
    it(`${name} fits without horizontal scrolling`, { timeout: TIMEOUT }, async () => {
      const page = phone.page;
      await settled(page, path.startsWith("/") ? path : `/apps/${appId}${path ? `/${path}` : ""}`, heading);
      const { scrollWidth, clientWidth } = await horizontalOverflow(page);
      await screenshot(page, `phone-${name.replace(/\W+/g, "-").replace(/^-|-$/g, "")}`);
      expect(clientWidth).toBe(375);
      expect(scrollWidth, `${name} is ${scrollWidth}px wide on a 375px screen`).toBeLessThanOrEqual(
        clientWidth,
      );
    });
  }
});
