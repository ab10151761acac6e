/**
 * A session that ends while the console is open: the next thing the console asks the API is
 * refused, it returns to sign-in with a notice that the session ended, and signing in again leads
 * back to the page the person was on.
 */

import { GatewayClient } from "@proximity/e2e";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import {
  BROWSER_TEST_LIMITS,
  type BrowserSession,
  type ConsolePlatform,
  deployRunning,
  journey,
  launchBrowser,
  openSession,
  pageHeading,
  screenshot,
  signIn,
  startPlatformWithConsole,
} from "../src/index.js";

const ENDED_NOTICE = /session has ended/i;

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
    expect(await page.getByText(ENDED_NOTICE).count()).toBe(0);
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
    "the session ends under the open app page: its live refresh leads to sign-in with the notice",
    async () => {
      const page = carol.page;
      await endBrowserSession();
      // No click, no reload: the page's own refresh meets the 401.
      await page.waitForURL(/\/sign-in\?/, { timeout: 60_000 });
      await page.getByText(ENDED_NOTICE).waitFor();
      expect(new URL(page.url()).searchParams.get("next")).toBe(`/apps/${appId}`);
      await screenshot(page, "session-ended");
    },
  );

  step("signing in again brings carol back to the app page she was on", async () => {
    const page = carol.page;
    await signIn(page, "carol", password);
    await pageHeading(page, "carol-site").waitFor();
    expect(new URL(page.url()).pathname).toBe(`/apps/${appId}`);
    expect(await page.getByText(ENDED_NOTICE).count()).toBe(0);
  });

  step(
    "the session ends, then carol follows a link: sign-in with the notice, then the page she chose",
    async () => {
      const page = carol.page;
      await endBrowserSession();
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My apps" }).click();
      await page.waitForURL(/\/sign-in\?/);
      await page.getByText(ENDED_NOTICE).waitFor();
      expect(new URL(page.url()).searchParams.get("next")).toBe("/apps");
      await signIn(page, "carol", password);
      await pageHeading(page, "My apps").waitFor();
      await page.getByRole("link", { name: "carol-site" }).waitFor();
      // The app was left alone throughout.
      expect((await platform.adminApi.get(`/api/apps/${appId}`)).body.status).toBe("running");
    },
  );
});
