import { randomBytes } from "node:crypto";
import { Writable } from "node:stream";
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type HttpResult, type Platform, startPlatform } from "../src/index.js";
import { settled } from "./support/apps.js";
import { backupCompleted, restoreSettled } from "./support/backups.js";
import { dumpAllStreams, dumpAllTables, encodingsOf } from "./support/leak-scan.js";

/** Every log line of every service during the run (debug level). */
const logLines: string[] = [];
const sink = new Writable({
  write(chunk, _encoding, done) {
    logLines.push(String(chunk));
    done();
  },
});

let platform: Platform;

let admin: GatewayClient;

beforeAll(async () => {
  platform = await startPlatform({
    ...testServers(),
    logSink: sink,
    gatewayEnv: { RATE_LIMIT_PER_MINUTE: "100000" },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
}, 120_000);

afterAll(async () => {
  await platform?.stop();
});

describe("secrets at rest and in logs", () => {
  it("host credentials and the container root password appear in no table and no log line", async () => {
    const app = await admin.post("/api/apps", { catalog_id: "whoami", hostname: "leak-check" });
    expect(app.status).toBe(202);
    await eventually(async () => (await admin.get(`/api/apps/${app.body.id}`)).body.status === "running", {
      timeoutMs: 30_000,
      what: "app running",
    });
    const rootPassword = await platform.readSecretAsProvisioner(`apps/${app.body.id}/root-password`);
    expect(rootPassword.length).toBeGreaterThanOrEqual(16);
    const { tokenSecret, sshPassword } = platform.simulatorCredentials;
    const secrets = { tokenSecret, sshPassword, rootPassword, adminPassword: platform.adminPassword };

    const tables = await dumpAllTables(platform.databaseUrl);
    expect(tables.size).toBeGreaterThan(10);
    // The dump decodes binary columns: the encrypted secrets are there (else the scan proves nothing),
    // and an outbox payload shows its decoded event.
    expect(tables.get("secrets.secret_versions")).toContain(`apps/${app.body.id}/root-password`);
    expect(tables.get("applications.outbox")).toContain(`"hostname":"leak-check"`);
    const logs = logLines.join("");
    // The capture really holds every service's lines, deploy included (else the scan proves nothing).
    for (const service of ["api-gateway", "applications", "hosts", "secrets", "provisioner"])
      expect(logs).toContain(`"service":"${service}"`);
    expect(logs).toContain("deploy succeeded");
    // Every message of the platform's streams, dead letters included.
    const namespace = /"namespace":"([a-z0-9]+)"/.exec(logs)?.[1];
    expect(namespace, "the bus namespace, from the services' ready lines").toBeDefined();
    const streams = await dumpAllStreams(testServers().natsUrl, namespace!);
    const NS = namespace!.toUpperCase();
    for (const stream of ["APPLICATIONS", "PROVISIONER", "HOSTS", "DEAD_LETTERS"])
      expect([...streams.keys()]).toContain(`${NS}_${stream}`);
    expect(streams.get(`${NS}_APPLICATIONS`)).toContain(`"hostname":"leak-check"`);
    for (const [what, value] of Object.entries(secrets)) {
      for (const encoded of encodingsOf(value)) {
        for (const [stream, text] of streams)
          expect(text.includes(encoded), `${what} in ${stream}`).toBe(false);
        for (const [table, text] of tables) expect(text.includes(encoded), `${what} in ${table}`).toBe(false);
        expect(logs.includes(encoded), `${what} in the logs`).toBe(false);
      }
    }
  });

  it("a backup and restores of an app with a secret setting leak its value nowhere", async () => {
    const secret = `bk-admin-${randomBytes(24).toString("hex")}`;
    // Every answer the admin gets in this test (helpers' polling included), to search for the value.
    const answers: HttpResult[] = [];
    const client = new (class extends GatewayClient {
      override async request(method: string, path: string, body?: unknown, options?: { withCsrf?: boolean }) {
        const res = await super.request(method, path, body, options);
        answers.push(res);
        return res;
      }
    })(platform.url);
    await client.login(platform.adminUsername, platform.adminPassword);
    const deploy = await client.post("/api/apps", {
      catalog_id: "vaultwarden",
      hostname: "vault-backup",
      environment: { ADMIN_TOKEN: secret, SIGNUPS_ALLOWED: "false" },
    });
    expect(deploy.status, JSON.stringify(deploy.body)).toBe(202);
    const id: string = deploy.body.id;
    const app = await settled(client, id);
    expect(app.status, app.status_message).toBe("running");
    const envPath = (appId: string) => `/opt/proximity/${appId}/.env`;
    expect(platform.sim.guestFile(app.vmid, envPath(id))?.content).toContain(`ADMIN_TOKEN="${secret}"`);

    // Back up, restore in place, restore into a new app.
    const backup = await backupCompleted(client, id);
    await client.get(`/api/apps/${id}/backups`);
    await client.get(`/api/apps/${id}/backups/${backup.id}`);
    const inPlace = await client.post(`/api/apps/${id}/backups/${backup.id}/restore`, {});
    expect(inPlace.status, JSON.stringify(inPlace.body)).toBe(202);
    expect((await restoreSettled(client, id, backup.id, id)).status).toBe("running");
    expect(platform.sim.guestFile(app.vmid, envPath(id))?.content).toContain(`ADMIN_TOKEN="${secret}"`);
    const intoNew = await client.post(`/api/apps/${id}/backups/${backup.id}/restore`, {
      new_hostname: "vault-backup-copy",
    });
    expect(intoNew.status, JSON.stringify(intoNew.body)).toBe(202);
    const newId: string = intoNew.body.app.id;
    const copy = await restoreSettled(client, id, backup.id, newId);
    expect(copy.status, copy.status_message).toBe("running");
    expect(copy.secrets).toEqual({ ADMIN_TOKEN: "set" });
    // The new app has the value where it lives: its .env (restored data) and its own secret.
    expect(platform.sim.guestFile(copy.vmid, envPath(newId))?.content).toContain(`ADMIN_TOKEN="${secret}"`);
    expect(await platform.readSecretAsProvisioner(`apps/${newId}/env/ADMIN_TOKEN`)).toBe(secret);
    for (const appId of [id, newId]) {
      await client.get(`/api/apps/${appId}`);
      await client.get(`/api/apps/${appId}/logs?limit=1000`);
    }
    await client.get("/api/backups");

    // The scan sees the backup's records, events and log lines (else it proves nothing)…
    const tables = await dumpAllTables(platform.databaseUrl);
    const backupTables = [...tables].filter(([name]) => name.startsWith("backups."));
    expect(backupTables.some(([, text]) => text.includes(backup.id))).toBe(true);
    const streams = await dumpAllStreams(testServers().natsUrl, platform.busNamespace);
    const NS = platform.busNamespace.toUpperCase();
    expect(streams.get(`${NS}_BACKUPS`)).toContain(backup.id);
    expect(streams.get(`${NS}_BACKUPS`)).toContain("ADMIN_TOKEN"); // the name travels, the value does not
    const logs = logLines.join("");
    expect(logs).toContain(`"service":"backups"`);
    expect(logs).toContain(backup.id);
    const commandText = JSON.stringify(
      platform.sim.commandLog().map((c) => ({ line: c.line, command: c.command })),
    );
    const apiText = JSON.stringify(answers.map((a) => a.body));
    expect(apiText).toContain(backup.id);
    // …and the value in none of it.
    for (const encoded of encodingsOf(secret)) {
      for (const [table, text] of tables)
        expect(text.includes(encoded), `the secret in ${table}`).toBe(false);
      for (const [stream, text] of streams)
        expect(text.includes(encoded), `the secret in ${stream}`).toBe(false);
      expect(logs.includes(encoded), "the secret in the logs").toBe(false);
      expect(commandText.includes(encoded), "the secret on a command line").toBe(false);
      expect(apiText.includes(encoded), "the secret in an API answer").toBe(false);
    }
  }, 180_000);
});
