/**
 * A session that ends while the console is open: the next thing the console asks the API is
 * refused, and a dialog over the page asks for the password; signing in again carries on where the
 * person was, with what they had typed. Opening the console with an ended session (a reload) leads
 * to the sign-in page, and back to the page after.
 */

import { GatewayClient } from "@proximity/e2e";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import {
  BROWSER_TEST_LIMITS,
  type BrowserSession,
  type ConsolePlatform,
  deployRunning,
  expectAccessible,
  journey,
  launchBrowser,
  openSession,
  pageHeading,
  screenshot,
  signIn,
  startPlatformWithConsole,
} from "../src/index.js";

const ENDED_DIALOG = { name: "Your session has ended" } as const;

vi.setConfig(BROWSER_TEST_LIMITS);

let platform: ConsolePlatform;
let browser: Browser;
let carol: BrowserSession;
let carolApi: GatewayClient;
let password: string;
let appId: string;

beforeAll(async () => {
  platform = await startPlatformWithConsole();
  await platform.registerSimulatorHost();
  password = await platform.createUser("carol");
  carolApi = new GatewayClient(platform.url);
  await carolApi.login("carol", password);
  appId = await deployRunning(carolApi, { catalog_id: "whoami", hostname: "carol-site" });
  browser = await launchBrowser();
  carol = await openSession(browser, platform.url);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

const step = journey("session-expiry", () => [carol]);

/** Carol's sessions as the API lists them, seen from her API client's own session. */
async function browserSessions(): Promise<{ id: string; current: boolean }[]> {
  const res = await carolApi.get("/api/auth/sessions");
  expect(res.status).toBe(200);
  return res.body.items.filter((session: { current: boolean }) => !session.current);
}

/** Ends the browser's session from carol's other session (DELETE /api/auth/sessions/{id}). */
async function endBrowserSession(): Promise<void> {
  const sessions = await browserSessions();
  expect(sessions).toHaveLength(1);
  expect((await carolApi.delete(`/api/auth/sessions/${sessions[0]!.id}`)).status).toBe(204);
}

describe("the console when the session ends", () => {
  step("carol signs in and opens her app's page", async () => {
    const page = carol.page;
    await page.goto(`/apps/${appId}`);
    // Not signed in yet: sign-in first, with where to come back to, and no "ended" notice.
    await page.waitForURL(/\/sign-in\?/);
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/apps/${appId}`);
    await signIn(page, "carol", password);
    await pageHeading(page, "carol-site").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/apps/${appId}`);
    expect(await browserSessions()).toHaveLength(1);
  });

  step("her sessions are ended from another device: reloading leads to sign-in, then back", async () => {
    const page = carol.page;
    // "End all my other sessions", from her API client's session.
    const ended = await carolApi.delete("/api/auth/sessions");
    expect(ended.status).toBe(200);
    expect(ended.body.ended).toBe(1);
    await page.reload();
    await page.waitForURL(/\/sign-in\?/);
    await pageHeading(page, "Sign in to Proximity").waitFor();
    expect(new URL(page.url()).searchParams.get("next")).toBe(`/apps/${appId}`);
    await signIn(page, "carol", password);
    await pageHeading(page, "carol-site").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/apps/${appId}`);
  });

  step(
    "the session ends while carol fills in a form: her page's own refresh brings a sign-in dialog over it",
    async () => {
      const page = carol.page;
      await page.getByRole("button", { name: "Clone" }).click();
      const clone = page.getByRole("dialog", { name: "Clone carol-site" });
      await clone.getByLabel("Host name of the clone").fill("carol-site-copy");
      await endBrowserSession();
      // No click, no reload: the page's own refresh meets the 401.
      const dialog = page.getByRole("dialog", ENDED_DIALOG);
      await dialog.waitFor({ timeout: 60_000 });
      expect(new URL(page.url()).pathname).toBe(`/apps/${appId}`);
      expect(await dialog.getByLabel("Username").inputValue()).toBe("carol");
      await expectAccessible(page, "the session-ended dialog");
      await screenshot(page, "session-ended");
    },
  );

  step("signing in again in the dialog carries on: the page and what she typed are still there", async () => {
    const page = carol.page;
    const dialog = page.getByRole("dialog", ENDED_DIALOG);
    await dialog.getByLabel("Password").fill(password);
    await dialog.getByRole("button", { name: "Sign in" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(new URL(page.url()).pathname).toBe(`/apps/${appId}`);
    const clone = page.getByRole("dialog", { name: "Clone carol-site" });
    expect(await clone.getByLabel("Host name of the clone").inputValue()).toBe("carol-site-copy");
    await clone.getByRole("button", { name: "Cancel" }).click();
    await pageHeading(page, "carol-site").waitFor();
    // The new session is the only one of the browser's, and the page reads with it again.
    expect(await browserSessions()).toHaveLength(1);
    await page.getByText("Live", { exact: true }).waitFor({ timeout: 30_000 });
  });

  step(
    "the session ends, then carol follows a link: the page she chose opens under the dialog, then shows",
    async () => {
      const page = carol.page;
      await endBrowserSession();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My apps" }).click();
      const dialog = page.getByRole("dialog", ENDED_DIALOG);
      await dialog.waitFor();
      expect(new URL(page.url()).pathname).toBe("/apps");
      await dialog.getByLabel("Password").fill(password);
      await dialog.getByRole("button", { name: "Sign in" }).click();
      await dialog.waitFor({ state: "detached" });
      await pageHeading(page, "My apps").waitFor();
      await page.getByRole("link", { name: "carol-site" }).waitFor();
      // The app was left alone throughout, and no clone was made.
      expect((await platform.adminApi.get(`/api/apps/${appId}`)).body.status).toBe("running");
      expect((await carolApi.get("/api/apps")).body.total).toBe(1);
    },
  );
});
