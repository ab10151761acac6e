/**
 * A person's whole journey through the console in Chromium: signed in through the form, an app
 * found in the store and deployed, watched live, stopped and started, backed up and restored, then
 * deleted. Every page is screenshotted; any page error, console error or CSP violation fails.
 */
import { eventually } from "@proximity/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import {
  appStatus,
  appStatusLine,
  BROWSER_TEST_LIMITS,
  type BrowserSession,
  type ConsolePlatform,
  journey,
  launchBrowser,
  logLines,
  navigate,
  openSession,
  pageHeading,
  screenshot,
  signIn,
  startPlatformWithConsole,
} from "../src/index.js";

const USERNAME = "dana";
const HOSTNAME = "dana-rss";

vi.setConfig(BROWSER_TEST_LIMITS);

let platform: ConsolePlatform;
let browser: Browser;
let dana: BrowserSession;
let page: Page;
let password: string;
let appId: string;

beforeAll(async () => {
  // Proxmox tasks of 1.5 s: a deploy takes several seconds, long enough to watch it live.
  platform = await startPlatformWithConsole({ taskDurationMs: 1_500 });
  await platform.registerSimulatorHost();
  browser = await launchBrowser();
  dana = await openSession(browser, platform.url);
  page = dana.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

const step = journey("user-journey", () => [dana]);

describe("a user's journey through the console", () => {
  step("an admin creates a normal user through the API", async () => {
    password = await platform.createUser(USERNAME);
    const users = await platform.adminApi.get("/api/users");
    expect(users.body.items).toContainEqual(expect.objectContaining({ username: USERNAME, is_admin: false }));
  });

  step("the console is served under the strict CSP, and a violation is caught by these tests", async () => {
    const response = await page.goto("/sign-in");
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    await pageHeading(page, "Sign in to Proximity").waitFor();
    // What an injected inline script meets: refused, and reported as a console error, which is
    // how every step of these journeys proves the console itself never breaks the policy.
    const ran = await page.evaluate(
      `(() => { const s = document.createElement("script"); s.textContent = "window.__injected = true"; document.body.append(s); return window.__injected === true; })()`,
    );
    expect(ran).toBe(false);
    await expect.poll(() => dana.problems.take(/Content Security Policy/).length).toBe(1);
  });

  step("the user opens the console, is sent to sign-in and signs in with the form", async () => {
    await page.goto("/");
    await page.waitForURL(/\/sign-in\?/);
    await pageHeading(page, "Sign in to Proximity").waitFor();
    await screenshot(page, "sign-in");
    // A wrong password is refused in words, and nothing else happens.
    await page.getByLabel("Username").fill(USERNAME);
    await page.getByLabel("Password").fill("not-the-password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toMatch(/\S/);
    expect(new URL(page.url()).pathname).toBe("/sign-in");

    await signIn(page, USERNAME, password);
    await pageHeading(page, "My apps").waitFor();
    // Production cookies (Secure, `__Host-`): Chromium keeps them on http://127.0.0.1, a
    // potentially trustworthy origin, so nothing is relaxed for these tests.
    const cookies = await dana.context.cookies();
    expect(
      cookies.map(({ name, secure, httpOnly, sameSite }) => ({ name, secure, httpOnly, sameSite })),
    ).toEqual(
      expect.arrayContaining([
        { name: "__Host-proximity_session", secure: true, httpOnly: true, sameSite: "Strict" },
        { name: "__Host-proximity_csrf", secure: true, httpOnly: false, sameSite: "Strict" },
      ]),
    );
    await page.getByRole("heading", { name: "No apps yet" }).waitFor();
    await expect.poll(() => page.getByRole("banner").textContent()).toContain(USERNAME);
    // A normal user is offered no admin area.
    expect(
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Admin" }).count(),
    ).toBe(0);
    await screenshot(page, "my-apps-empty");
  });

  step("the store lists the catalog and its search narrows it", async () => {
    await navigate(page, "Store", "Store");
    const apps = page.getByRole("region", { name: "Apps in the store" });
    await apps.getByRole("link", { name: "whoami" }).waitFor();
    expect(await apps.getByRole("link").count()).toBeGreaterThan(10);
    await screenshot(page, "store");

    await page.getByLabel("Search apps").fill("miniflux");
    await expect.poll(() => new URL(page.url()).searchParams.get("search")).toBe("miniflux");
    await expect.poll(() => apps.getByRole("link").allTextContents()).toEqual(["Miniflux"]);
    await screenshot(page, "store-search");
  });

  step("the app's page shows what it needs and the deploy form asks for its required settings", async () => {
    await page.getByRole("link", { name: "Miniflux" }).click();
    await pageHeading(page, "Miniflux").waitFor();
    expect(new URL(page.url()).pathname).toBe("/store/miniflux");
    const form = page.getByRole("region", { name: "Deploy Miniflux" });
    await form.getByLabel("Host name").fill(HOSTNAME);
    // Sent without the required secrets: refused at their fields before anything is deployed.
    await form.getByRole("button", { name: "Deploy" }).click();
    await expect.poll(() => form.getByRole("alert").first().textContent()).toMatch(/field/i);
    await expect.poll(() => form.getByLabel("DB_PASSWORD").getAttribute("aria-invalid")).toBe("true");
    expect(new URL(page.url()).pathname).toBe("/store/miniflux");

    await form.getByLabel("ADMIN_PASSWORD").fill("dana-admin-password");
    await form.getByLabel("DB_PASSWORD").fill("danaDbPassword42");
    await screenshot(page, "store-app-form");
  });

  step("Deploy leads to the app's page, which shows the deployment live until it runs", async () => {
    await page.getByRole("button", { name: "Deploy", exact: true }).click();
    await page.waitForURL(/\/apps\/[0-9a-f-]{36}$/);
    appId = new URL(page.url()).pathname.split("/")[2]!;
    await pageHeading(page, HOSTNAME).waitFor();
    // The deployment is still going on: its progress lines arrive while the page is open.
    await expect.poll(() => appStatus(page).textContent()).toBe("Deploying");
    const first = await eventually(async () => (await logLines(page).count()) || undefined, {
      what: "a first progress line",
    });
    await expect.poll(() => logLines(page).count(), { timeout: 60_000 }).toBeGreaterThan(first);
    await expect.poll(() => appStatus(page).textContent(), { timeout: 60_000 }).toBe("Running");
    await expect
      .poll(() => logLines(page).allTextContents())
      .toContainEqual(expect.stringContaining("Starting app with docker compose"));
    expect(await platform.adminApi.get(`/api/apps/${appId}`)).toMatchObject({
      body: { status: "running", hostname: HOSTNAME, owner_id: expect.any(String) },
    });
    await screenshot(page, "app");
  });

  step("Stop stops the app, Start runs it again", async () => {
    await page.getByRole("button", { name: "Stop", exact: true }).click();
    await expect.poll(() => appStatus(page).textContent(), { timeout: 60_000 }).toBe("Stopped");
    await page.getByRole("button", { name: "Start", exact: true }).click();
    await expect.poll(() => appStatus(page).textContent(), { timeout: 60_000 }).toBe("Running");
    await expect
      .poll(() => logLines(page).allTextContents())
      .toContainEqual(expect.stringContaining("Stop requested"));
  });

  step("Back up now makes a backup that is listed as completed", async () => {
    await page
      .getByRole("navigation", { name: "Sections of this app" })
      .getByRole("link", { name: "Backups" })
      .click();
    await page.waitForURL(`**/apps/${appId}/backups`);
    const backups = page.getByRole("region", { name: "Backups" });
    await backups.getByRole("heading", { name: "No backups yet" }).waitFor();
    await backups.getByRole("button", { name: "Back up now" }).click();
    await expect
      .poll(() => backups.getByRole("row").filter({ hasText: "Completed" }).count(), { timeout: 60_000 })
      .toBe(1);
    expect((await platform.adminApi.get(`/api/apps/${appId}/backups`)).body.items).toEqual([
      expect.objectContaining({ status: "completed", trigger: "manual", restorable: true }),
    ]);
    // The app itself says the backup is over (its status line drops "backup in progress").
    await expect.poll(() => appStatusLine(page).textContent(), { timeout: 30_000 }).toBe("Running");
    // The retention fields of a row line up, however their hints wrap ("Keep monthly"'s does).
    const topOf = async (label: string) => (await page.getByLabel(label, { exact: true }).boundingBox())?.y;
    for (const [left, right] of [
      ["Keep last", "Keep hourly"],
      ["Keep daily", "Keep weekly"],
      ["Keep monthly", "Keep yearly"],
    ] as const) {
      expect(await topOf(right), `${right} beside ${left}`).toBe(await topOf(left));
    }
    await screenshot(page, "app-backups");
  });

  step(
    "Restore puts the backup back, after a confirmation that says what is lost, and the app runs again",
    async () => {
      const backups = page.getByRole("region", { name: "Backups" });
      await backups.getByRole("button", { name: /^Restore/ }).click();
      const dialog = page.getByRole("dialog", { name: /^Restore the backup from/ });
      await dialog.waitFor();
      expect(await dialog.textContent()).toMatch(/is lost/);
      await screenshot(page, "app-restore-dialog");
      await dialog.getByRole("button", { name: `Replace ${HOSTNAME}'s data` }).click();
      await dialog.waitFor({ state: "hidden" });
      await expect.poll(() => appStatus(page).textContent(), { timeout: 60_000 }).toBe("Restoring");
      await expect.poll(() => appStatus(page).textContent(), { timeout: 60_000 }).toBe("Running");
      expect((await platform.adminApi.get(`/api/apps/${appId}`)).body).toMatchObject({
        status: "running",
        current_operation: null,
      });
    },
  );

  step("My apps lists the app with its status, linked to its page", async () => {
    await navigate(page, "My apps", "My apps");
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: HOSTNAME }) });
    await expect.poll(() => row.textContent()).toContain("Running");
    await screenshot(page, "my-apps");
    await row.getByRole("link", { name: HOSTNAME }).click();
    await pageHeading(page, HOSTNAME).waitFor();
  });

  step("Delete, confirmed in the dialog, removes the app from My apps", async () => {
    await page.getByRole("button", { name: "Delete", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: `Delete ${HOSTNAME}?` });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Delete app" }).click();
    await navigate(page, "My apps", "My apps");
    await page.getByRole("heading", { name: "No apps yet" }).waitFor({ timeout: 60_000 });
    expect(await page.getByRole("link", { name: HOSTNAME }).count()).toBe(0);
    await eventually(async () => (await platform.adminApi.get(`/api/apps/${appId}`)).status === 404, {
      timeoutMs: 60_000,
      what: "the app deleted",
    });
  });
});
