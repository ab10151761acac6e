import { Writable } from "node:stream";
import { eventually, testServers } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";
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

beforeAll(async () => {
  platform = await startPlatform({ ...testServers(), logSink: sink });
});

afterAll(async () => {
  await platform?.stop();
});

describe("secrets at rest and in logs", () => {
  it("host credentials and the container root password appear in no table and no log line", async () => {
    const admin = new GatewayClient(platform.url);
    await admin.login(platform.adminUsername, platform.adminPassword);
    expect((await admin.post("/api/proxmox/hosts", platform.hostRegistration())).status).toBe(201);
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
});
