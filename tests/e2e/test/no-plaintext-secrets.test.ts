import { Writable } from "node:stream";
import { eventually, testServers } from "@proximity/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GatewayClient, type Platform, startPlatform } from "../src/index.js";

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

async function dumpAllTables(databaseUrl: string): Promise<Map<string, string>> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const tables = await client.query<{ table_schema: string; table_name: string }>(
      "select table_schema, table_name from information_schema.tables where table_schema not in ('pg_catalog','information_schema')",
    );
    const dump = new Map<string, string>();
    for (const { table_schema, table_name } of tables.rows) {
      const rows = await client.query(`select t::text as row from "${table_schema}"."${table_name}" t`);
      dump.set(`${table_schema}.${table_name}`, rows.rows.map((r) => r.row).join("\n"));
    }
    return dump;
  } finally {
    await client.end();
  }
}

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
    expect([...tables.keys()]).toContain("secrets.secret_versions");
    const logs = logLines.join("");
    // The capture really holds every service's lines, deploy included (else the scan proves nothing).
    for (const service of ["api-gateway", "applications", "hosts", "secrets", "provisioner"])
      expect(logs).toContain(`"service":"${service}"`);
    expect(logs).toContain("deploy succeeded");
    for (const [what, value] of Object.entries(secrets)) {
      for (const [table, text] of tables) expect(text.includes(value), `${what} in ${table}`).toBe(false);
      expect(logs.includes(value), `${what} in the logs`).toBe(false);
    }
  });
});
