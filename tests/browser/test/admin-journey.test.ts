/**
 * An administrator's journey in Chromium: a Proxmox host added through the host form and tested,
 * users, API tokens, the catalog reload, and a backup kept after its app was deleted restored into
 * a new app. Every admin page is screenshotted; any page error,
 * console error or CSP violation fails.
 */
import { eventually } from "@proximity/testing";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, vi } from "vitest";
import {
  BROWSER_TEST_LIMITS,
  type BrowserSession,
  type ConsolePlatform,
  deployRunning,
  journey,
  launchBrowser,
  navigate,
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
let admin: BrowserSession;
let page: Page;

beforeAll(async () => {
  // The periodic host check stays off: the test's own "Test connection" is what it watches.
  platform = await startPlatformWithConsole({ hostsEnv: { HOST_CHECK_INTERVAL_MS: "0" } });
  browser = await launchBrowser();
  admin = await openSession(browser, platform.url);
  page = admin.page;
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await platform?.stop();
});

const step = journey("admin-journey", () => [admin]);

const API_TOKEN = /pxm_[0-9a-f-]{36}_[A-Za-z0-9_-]{43}/;

/** An API token on the page: in its text or in a field's value. */
async function shownToken(page: Page): Promise<string | undefined> {
  const main = page.getByRole("main");
  const text = await main.textContent();
  const fields = await main.locator("input, textarea").all();
  const values = await Promise.all(fields.map((field) => field.inputValue()));
  return [text, ...values].join("\n").match(API_TOKEN)?.[0];
}

/** The admin area's own navigation. */
async function adminSection(link: string, heading: string) {
  await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: link }).click();
  await pageHeading(page, heading).waitFor();
}

describe("an administrator's journey through the console", () => {
  step("the admin signs in and finds the admin area, with no host yet", async () => {
    await page.goto("/");
    await signIn(page, platform.adminUsername, platform.adminPassword);
    await navigate(page, "Admin", "Hosts");
    expect(new URL(page.url()).pathname).toBe("/admin/hosts");
    await page.getByRole("heading", { name: "No hosts yet" }).waitFor();
    await screenshot(page, "admin-hosts-empty");
  });

  step("the host form registers the simulator", async () => {
    await page.getByRole("link", { name: "Add host" }).first().click();
    await pageHeading(page, "Add a host").waitFor();
    const sim = new URL(platform.simulator.baseUrl);
    const node = platform.simulator.nodes[0]!;
    const credentials = platform.simulatorCredentials;
    await page.getByLabel("Name", { exact: false }).first().fill("lab");
    await page.getByLabel("Address").fill(sim.hostname);
    await page.getByLabel("Port", { exact: true }).fill(sim.port);
    await page.getByRole("radio", { name: "API token" }).check();
    await page.getByLabel("API token ID").fill(credentials.tokenId);
    await page.getByLabel("API token secret").fill(credentials.tokenSecret);
    // The simulator speaks plain HTTP, which the platform accepts in development mode only.
    await page.getByRole("radio", { name: /Plain HTTP/ }).check();
    await page.getByLabel("SSH user").fill(credentials.sshUser);
    await page.getByLabel("SSH password").fill(credentials.sshPassword);
    const nodeFields = page.getByRole("group", { name: "Node 1" });
    await nodeFields.getByLabel("Node name").fill(node.name);
    await nodeFields.getByLabel("SSH host", { exact: false }).first().fill(node.sshHost);
    await nodeFields.getByLabel("SSH port").fill(String(node.sshPort));
    await nodeFields.getByLabel("SSH host key fingerprint").fill(node.hostKeyFingerprint);
    await screenshot(page, "admin-host-new");
    await page.getByRole("button", { name: "Add host" }).click();

    await pageHeading(page, "lab").waitFor();
    expect(new URL(page.url()).pathname).toMatch(/^\/admin\/hosts\/[0-9a-f-]{36}$/);
    // The API holds it, credentials write-only.
    const hosts = (await platform.adminApi.get("/api/proxmox/hosts")).body.items;
    expect(hosts).toEqual([expect.objectContaining({ name: "lab", port: Number(sim.port) })]);
    expect(JSON.stringify(hosts)).not.toContain(credentials.tokenSecret);
  });

  step("Test connection checks the host and says it works", async () => {
    await page.getByRole("button", { name: "Test connection" }).click();
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "connection" }).textContent(), {
        timeout: 60_000,
      })
      .toMatch(/The connection works: Proxmox VE \d/);
    await expect.poll(() => page.getByRole("main").textContent()).toContain("Reachable");
    await screenshot(page, "admin-host");
  });

  step("the hosts list shows the host as reachable, with its node", async () => {
    await adminSection("Hosts", "Hosts");
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "lab" }) });
    await expect.poll(() => row.textContent()).toContain("Reachable");
    await screenshot(page, "admin-hosts");
    await adminSection("Nodes", "Nodes");
    await expect.poll(() => page.getByRole("main").textContent()).toContain("pve1");
    await screenshot(page, "admin-nodes");
  });

  step("users: the list, and a user added through the form", async () => {
    await adminSection("Users", "Users");
    await page.getByRole("row").filter({ hasText: platform.adminUsername }).first().waitFor();
    await screenshot(page, "admin-users");
    await page.getByRole("link", { name: "Add user" }).click();
    await pageHeading(page, "Add a user").waitFor();
    await page.getByLabel("Username").fill("erin");
    await page.getByLabel("Password").fill("plum-orbit-candle-19-violet");
    await page.getByRole("button", { name: "Add user" }).click();
    await pageHeading(page, /erin/).waitFor();
    await screenshot(page, "admin-user");
    await adminSection("Users", "Users");
    const row = page.getByRole("row").filter({ has: page.getByRole("link", { name: "erin" }) });
    await expect.poll(() => row.textContent()).toMatch(/User.*Active/);
    const users = (await platform.adminApi.get("/api/users")).body.items;
    expect(users).toContainEqual(
      expect.objectContaining({ username: "erin", is_admin: false, is_active: true }),
    );
  });

  step("tokens: a new API token is shown once, then only listed", async () => {
    await open(page, "/account/tokens", /tokens/i);
    await screenshot(page, "account-tokens-empty");
    await page.getByLabel("Name").fill("ci-deploys");
    await page.getByRole("button", { name: /^Create/ }).click();
    // The secret appears once, in full (as text or in a read-only field to copy), and works.
    const token = await eventually(() => shownToken(page), { what: "the new token shown" });
    const me = await fetch(new URL("/api/auth/me", platform.url), {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ username: platform.adminUsername });
    await screenshot(page, "account-token-created");
    // Listed by name; the secret is never shown again.
    await page.reload();
    await pageHeading(page, /tokens/i).waitFor();
    await page.getByRole("main").getByText("ci-deploys", { exact: true }).first().waitFor();
    expect(await shownToken(page)).toBeUndefined();
  });

  step("catalog: reloading says how many apps the store now has", async () => {
    await navigate(page, "Admin", "Hosts");
    await adminSection("Catalog", "Catalog");
    await screenshot(page, "admin-catalog");
    await page.getByRole("button", { name: "Reload catalog" }).click();
    const catalog = (await platform.adminApi.get("/api/catalog?per_page=1")).body.total;
    await expect
      .poll(() => page.getByRole("status").filter({ hasText: "Catalog reloaded" }).textContent())
      .toContain(`Catalog reloaded: ${catalog} apps`);
  });

  step("backups of deleted apps: one kept after its app was deleted is restored into a new app", async () => {
    // The scene, through the API: an app backed up, then deleted with its backups kept.
    const api = platform.adminApi;
    const appId = await deployRunning(api, { catalog_id: "whoami", hostname: "old-site" });
    const backup = await api.post(`/api/apps/${appId}/backups`, {});
    expect(backup.status).toBe(202);
    await eventually(
      async () => (await api.get(`/api/apps/${appId}/backups`)).body.items[0]?.status === "completed",
      { timeoutMs: 60_000, what: "the backup completed" },
    );
    await eventually(async () => (await api.get(`/api/apps/${appId}`)).body.current_operation === null, {
      what: "the app free again",
    });
    expect((await api.delete(`/api/apps/${appId}?backups=keep`)).status).toBe(202);
    await eventually(async () => (await api.get(`/api/apps/${appId}`)).status === 404, {
      timeoutMs: 60_000,
      what: "the app deleted",
    });

    await navigate(page, "Admin", "Hosts");
    await adminSection("Backups of deleted apps", "Backups of deleted apps");
    const table = page.getByRole("table", { name: /Backups of deleted apps/ });
    await expect.poll(() => table.getByRole("row").count(), { timeout: 30_000 }).toBe(2);
    await expect.poll(() => table.textContent()).toContain("Completed");
    await screenshot(page, "admin-backups-of-deleted-apps");

    // The app is gone, its name kept: the row names it, with the container and archive it was of,
    // and so do its button and the dialog.
    expect(await table.textContent()).toContain("old-site (whoami)");
    expect(await table.textContent()).toMatch(/Container \d+ on /);
    await table.getByRole("button", { name: /^Restore the backup of old-site \(whoami\) from/ }).click();
    const dialog = page.getByRole("dialog", { name: /^Restore the backup from/ });
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain("The app of this backup was deleted");
    expect(await dialog.textContent()).toMatch(
      /This is the backup of old-site \(whoami\), container \d+ on .+ \(archive /,
    );
    await screenshot(page, "admin-backups-restore-dialog");
    await dialog.getByLabel(/Host name of the new app/).fill("old-site-back");
    await dialog.getByRole("button", { name: "Restore into a new app" }).click();
    await pageHeading(page, "old-site-back").waitFor();
    const newAppId = new URL(page.url()).pathname.split("/")[2]!;
    await eventually(async () => (await api.get(`/api/apps/${newAppId}`)).body.status === "running", {
      timeoutMs: 60_000,
      what: "the restored app running",
    });
  });
});
