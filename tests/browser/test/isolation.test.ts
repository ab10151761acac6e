/**
 * What one person sees of another's in the console: nothing. User B's browser never shows user
 * A's app (not in My apps, not at its address, where a not-found state shows instead), and the
 * admin area answers a normal user with a forbidden state.
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
  open,
  openSession,
  pageHeading,
  screenshot,
  signIn,
  startPlatformWithConsole,
} from "../src/index.js";

vi.setConfig(BROWSER_TEST_LIMITS);

let platform: ConsolePlatform;
let browser: Browser;
let alice: BrowserSession;
let bob: BrowserSession;
let aliceAppId: string;

beforeAll(async () => {
  platform = await startPlatformWithConsole();
  await platform.registerSimulatorHost();
  const alicePassword = await platform.createUser("alice");
  const bobPassword = await platform.createUser("bob");
  // Alice's app, deployed through the API (this file is about what Bob's browser shows).
  const aliceApi = new GatewayClient(platform.url);
  await aliceApi.login("alice", alicePassword);
  aliceAppId = await deployRunning(aliceApi, { catalog_id: "whoami", hostname: "alice-private" });
  browser = await launchBrowser();
  alice = await openSession(browser, platform.url);
  bob = await openSession(browser, platform.url);
  await alice.page.goto("/sign-in");
  await signIn(alice.page, "alice", alicePassword);
  await bob.page.goto("/sign-in");
  await signIn(bob.page, "bob", bobPassword);
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

const step = journey("isolation", () => [alice, bob]);

describe("one user's apps are invisible to another in the console", () => {
  step("alice sees her app in My apps and at its address", async () => {
    const page = alice.page;
    await open(page, "/apps", "My apps");
    await page.getByRole("link", { name: "alice-private" }).waitFor();
    await open(page, `/apps/${aliceAppId}`, "alice-private");
  });

  step("bob's My apps does not list alice's app", async () => {
    const page = bob.page;
    await open(page, "/apps", "My apps");
    await page.getByRole("heading", { name: "No apps yet" }).waitFor();
    expect(await page.getByRole("main").textContent()).not.toContain("alice-private");
    // Searching for it finds nothing either.
    await page.goto("/apps?search=alice");
    await pageHeading(page, "My apps").waitFor();
    await page.getByRole("heading", { name: "No app matches these filters" }).waitFor();
  });

  step("bob opening alice's app's address gets a not-found state, none of her data", async () => {
    const page = bob.page;
    await page.goto(`/apps/${aliceAppId}`);
    await page
      .getByRole("heading", { name: /not found/i })
      .first()
      .waitFor();
    const shown = await page.locator("body").textContent();
    expect(shown).not.toContain("alice-private");
    expect(shown).not.toMatch(/whoami/i);
    // Nothing of hers on the page, not even where a person does not look.
    expect(await page.content()).not.toContain("alice-private");
    await page.getByRole("link", { name: "Go to My apps" }).first().waitFor();
    await screenshot(page, "isolation-not-found");
  });

  step("bob cannot open the admin area: a forbidden state, no admin data", async () => {
    const page = bob.page;
    await page.goto("/admin");
    await pageHeading(page, "Not allowed").waitFor();
    expect(await page.getByRole("main").textContent()).toMatch(/administrators/i);
    for (const path of ["/admin/hosts", "/admin/users"]) {
      await page.goto(path);
      await pageHeading(page, "Not allowed").waitFor();
      expect(await page.content()).not.toContain("alice");
    }
    await screenshot(page, "isolation-forbidden");
  });
});
