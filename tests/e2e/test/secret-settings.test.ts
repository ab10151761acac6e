/**
 * Secret settings of an app, end to end: a value the catalog marks secret reaches the container's
 * `.env` (mode 0600) and nowhere else: no table, no bus message (dead letters included), no log
 * line, no API answer and no command line the Proxmox node received. It follows the app through
 * update and clone and is deleted from the secrets service with the app.
 */
import { randomBytes } from "node:crypto";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";
import { createUser, FAST_RETRIES, gone, settled } from "./support/apps.js";
import { dumpAllStreams, dumpAllTables, encodingsOf } from "./support/leak-scan.js";

/** Every log line of every service during the run (debug level). */
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

/** Every answer the gateway gave in this file, to search for the secret. */
const answers: HttpResult[] = [];

let platform: Platform;
let admin: GatewayClient;
let alice: GatewayClient;

/** The shipped catalog plus one test item (see CASES). */
const SHIPPED_CATALOG = fileURLToPath(new URL("../../../services/applications/catalog", import.meta.url));
let catalogDir: string;

/**
 * The same flow for the shipped Vaultwarden item (ADMIN_TOKEN) and for a test copy of it whose
 * secret variable has a lower-case name (admin_token): the second tells the rest of the secret
 * path apart from anything that depends on the variable's name.
 */
const CASES = [
  { catalogId: "vaultwarden", variable: "ADMIN_TOKEN", hostname: "vault" },
  { catalogId: "vault-lower", variable: "admin_token", hostname: "vault-lower" },
] as const;

/** `${NAME:-}` as the compose file writes it. */
const composeRef = (name: string) => `\${${name}:-}`;

function writeTestCatalog(): string {
  const dir = mkdtempSync(join(tmpdir(), "proximity-e2e-catalog-"));
  cpSync(SHIPPED_CATALOG, dir, { recursive: true });
  const lower = readFileSync(join(SHIPPED_CATALOG, "vaultwarden.yaml"), "utf8")
    .replace(/^id: vaultwarden$/m, "id: vault-lower")
    .replace(/^name: Vaultwarden$/m, "name: Vaultwarden (lower-case secret)")
    .replace("- name: ADMIN_TOKEN", "- name: admin_token")
    .replace(composeRef("ADMIN_TOKEN"), composeRef("admin_token"));
  expect(lower).toContain("id: vault-lower");
  expect(lower).toContain(composeRef("admin_token"));
  writeFileSync(join(dir, "vault-lower.yaml"), lower);
  return dir;
}

function envFile(vmid: number, appId: string) {
  return platform.sim.guestFile(vmid, `/opt/proximity/${appId}/.env`);
}

async function call(p: Promise<HttpResult>): Promise<HttpResult> {
  const res = await p;
  answers.push(res);
  return res;
}

/** Searches everything a leak could hide in for the secret value (and its hex/base64 forms). */
async function assertNoLeak(
  secret: string,
  variable: string,
  expectedAppIds: string[],
  { stored }: { stored: boolean },
): Promise<void> {
  const tables = await dumpAllTables(platform.databaseUrl);
  // The dump sees the data of this run (else the scan proves nothing).
  expect(tables.size).toBeGreaterThan(10);
  for (const id of expectedAppIds) expect(tables.get("applications.outbox")).toContain(id);
  // While the apps live their (encrypted) values are there, else the scan proves nothing; once
  // deleted, not even the encrypted rows remain.
  for (const id of expectedAppIds) {
    const name = `apps/${id}/env/${variable}`;
    expect(tables.get("secrets.secret_versions")?.includes(name), name).toBe(stored);
  }
  const streams = await dumpAllStreams(testServers().natsUrl, platform.busNamespace);
  const NS = platform.busNamespace.toUpperCase();
  for (const stream of ["APPLICATIONS", "PROVISIONER", "DEAD_LETTERS"])
    expect([...streams.keys()]).toContain(`${NS}_${stream}`);
  expect(streams.get(`${NS}_APPLICATIONS`)).toContain(variable); // names travel, values do not
  const logs = logLines.join("");
  for (const service of ["api-gateway", "applications", "secrets", "provisioner"])
    expect(logs).toContain(`"service":"${service}"`);
  for (const id of expectedAppIds) expect(logs).toContain(id);
  const commands = platform.sim.commandLog();
  expect(commands.length).toBeGreaterThan(0);
  const commandText = JSON.stringify(commands.map((c) => ({ line: c.line, command: c.command })));
  const apiText = JSON.stringify(answers.map((a) => a.body));

  for (const encoded of encodingsOf(secret)) {
    for (const [table, text] of tables) expect(text.includes(encoded), `the secret in ${table}`).toBe(false);
    for (const [stream, text] of streams)
      expect(text.includes(encoded), `the secret in ${stream}`).toBe(false);
    expect(logs.includes(encoded), "the secret in the logs").toBe(false);
    expect(commandText.includes(encoded), "the secret on a command line").toBe(false);
    expect(apiText.includes(encoded), "the secret in an API answer").toBe(false);
  }
}

beforeAll(async () => {
  catalogDir = writeTestCatalog();
  platform = await startPlatform({
    ...testServers(),
    logSink: sink,
    applicationsEnv: { CATALOG_DIR: catalogDir },
    provisionerEnv: { ...FAST_RETRIES },
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
  ({ client: alice } = await createUser(platform, admin, "alice"));
}, 120_000);

afterAll(async () => {
  await platform?.stop();
  if (catalogDir) rmSync(catalogDir, { recursive: true, force: true });
});

describe("secret settings, end to end", () => {
  it.each(CASES)(
    "$catalogId ($variable): the secret reaches only the container's .env, follows update and clone, is deleted with the apps",
    async ({ catalogId, variable, hostname }) => {
      /** The value under test: unique, so finding it anywhere is a leak of this very value. */
      const secret = `vw-admin-${randomBytes(24).toString("hex")}`;
      const deploy = await call(
        alice.post("/api/apps", {
          catalog_id: catalogId,
          hostname,
          environment: { [variable]: secret, SIGNUPS_ALLOWED: "false" },
        }),
      );
      expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
      expect(deploy.body.secrets).toEqual({ [variable]: "set" });
      expect(deploy.body.environment).toEqual({ SIGNUPS_ALLOWED: "false" });
      const id: string = deploy.body.id;
      const app = await settled(alice, id);
      expect(app.status, app.status_message).toBe("running");

      // The container's .env holds it, readable by root only.
      const env = envFile(app.vmid, id);
      expect(env, ".env written").toBeDefined();
      expect(env!.content).toContain(`${variable}="${secret}"`);
      expect(env!.content).toContain(`SIGNUPS_ALLOWED="false"`);
      expect(env!.content).toContain(`PROXIMITY_PORT="${app.port}"`);
      expect(env!.mode & 0o777).toBe(0o600);
      // It was sent over stdin: some command carried input, none carried the value.
      expect(platform.sim.commandLog().some((c) => c.stdinBytes > secret.length)).toBe(true);
      expect(await platform.readSecretAsProvisioner(`apps/${id}/env/${variable}`)).toBe(secret);

      const got = await call(alice.get(`/api/apps/${id}`));
      expect(got.body.secrets).toEqual({ [variable]: "set" });
      expect(got.body.environment).toEqual({ SIGNUPS_ALLOWED: "false" });
      await call(alice.get("/api/apps"));
      await call(admin.get("/api/apps"));
      await call(alice.get(`/api/apps/${id}/logs?limit=1000`));

      // Update: the container is recreated and its .env still has the value.
      const update = await call(alice.post(`/api/apps/${id}/action`, { action: "update" }));
      expect(update.status, JSON.stringify(update.body)).toBe(202);
      const updated = await settled(alice, id);
      expect(updated.status, updated.status_message).toBe("running");
      expect(envFile(app.vmid, id)?.content).toContain(`${variable}="${secret}"`);
      expect(envFile(app.vmid, id)!.mode & 0o777).toBe(0o600);

      // Clone: the copy has the value too, under its own name in the secrets service.
      const clone = await call(alice.post(`/api/apps/${id}/clone`, { new_hostname: `${hostname}-copy` }));
      expect(clone.status, JSON.stringify(clone.body)).toBe(202);
      expect(clone.body.secrets).toEqual({ [variable]: "set" });
      const cloneId: string = clone.body.id;
      const copy = await settled(alice, cloneId);
      expect(copy.status, copy.status_message).toBe("running");
      expect(copy.secrets).toEqual({ [variable]: "set" });
      const copyEnv = envFile(copy.vmid, cloneId);
      expect(copyEnv, "the clone's .env").toBeDefined();
      expect(copyEnv!.content).toContain(`${variable}="${secret}"`);
      expect(copyEnv!.content).toContain(`PROXIMITY_PORT="${copy.port}"`);
      expect(copyEnv!.mode & 0o777).toBe(0o600);
      expect(await platform.readSecretAsProvisioner(`apps/${cloneId}/env/${variable}`)).toBe(secret);
      await call(alice.get(`/api/apps/${cloneId}`));
      await call(alice.get(`/api/apps/${cloneId}/logs?limit=1000`));
      await call(alice.get(`/api/apps/${id}/logs?limit=1000`));
      await call(alice.get("/api/apps"));

      await assertNoLeak(secret, variable, [id, cloneId], { stored: true });

      // Delete both: their secret values go from the secrets service.
      expect((await call(alice.delete(`/api/apps/${id}`))).status).toBe(202);
      expect((await call(alice.delete(`/api/apps/${cloneId}`))).status).toBe(202);
      await gone(alice, id);
      await gone(alice, cloneId);
      for (const appId of [id, cloneId]) {
        await eventually(
          async () =>
            platform.readSecretAsProvisioner(`apps/${appId}/env/${variable}`).then(
              () => false,
              () => true,
            ),
          { timeoutMs: 30_000, what: `secret of ${appId} deleted` },
        );
      }
      expect(platform.sim.containers().filter((c) => [app.vmid, copy.vmid].includes(c.vmid))).toEqual([]);
      // Nothing leaked on the way out either (delete requests, events, logs).
      await assertNoLeak(secret, variable, [id, cloneId], { stored: false });
    },
    300_000,
  );

  it("a required secret setting that is missing: 400 at the field, nothing created", async () => {
    const before = (await alice.get("/api/apps")).body.total;
    const containers = platform.sim.containers().length;
    const res = await call(
      alice.post("/api/apps", {
        catalog_id: "wordpress",
        hostname: "blog",
        environment: { WORDPRESS_DEBUG: "1" },
      }),
    );
    expect(res.status, JSON.stringify(res.body)).toBe(400);
    expect(res.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "environment.DB_PASSWORD" })]),
    );
    // An empty value is no value either.
    const empty = await call(
      alice.post("/api/apps", {
        catalog_id: "wordpress",
        hostname: "blog",
        environment: { DB_PASSWORD: "" },
      }),
    );
    expect(empty.status, JSON.stringify(empty.body)).toBe(400);
    expect(empty.body.errors).toEqual(
      expect.arrayContaining([expect.objectContaining({ field: "environment.DB_PASSWORD" })]),
    );
    await new Promise((r) => setTimeout(r, 1000));
    expect((await alice.get("/api/apps")).body.total).toBe(before);
    expect(platform.sim.containers()).toHaveLength(containers);
    // With the value the same request is accepted (the refusal was about the missing value).
    const ok = await call(
      alice.post("/api/apps", {
        catalog_id: "wordpress",
        hostname: "blog",
        environment: { DB_PASSWORD: randomBytes(12).toString("hex") },
      }),
    );
    expect(ok.status, JSON.stringify(ok.body)).toBe(202);
    expect(ok.body.secrets).toEqual({ DB_PASSWORD: "set" });
  }, 120_000);
});
