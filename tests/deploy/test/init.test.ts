import { execFile, execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, testServers } from "@proximity/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceSchemas } from "../../../deploy/service-schemas.js";
import { SimulatorFiles } from "../../../deploy/simulator-credentials.js";
import { repositoryRoot } from "../src/compose.js";

// Compose's init step as a process, without Docker: the same script and variables, on this
// machine's PostgreSQL and in temporary directories.
const dir = mkdtempSync(join(tmpdir(), "proximity-init-"));
const trust = join(dir, "keys");
const natsConfig = join(dir, "nats-config", "nats.conf");
const simDir = join(dir, "sim");
const owner = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`;
let database: Awaited<ReturnType<typeof createTestDatabase>>;

async function runInit(): Promise<void> {
  const server = new URL(testServers().databaseUrl);
  await promisify(execFile)(process.execPath, ["--import", "tsx", "deploy/init.ts"], {
    cwd: repositoryRoot,
    env: {
      PATH: process.env.PATH,
      LOG_LEVEL: "warn",
      TRUST_DIR: trust,
      BUNDLE_OWNER: owner,
      NATS_CONFIG_FILE: natsConfig,
      NATS_STORE_DIR: join(dir, "nats-data"),
      BUS_NAMESPACE: "proximity",
      SIM_DIR: simDir,
      WRITABLE_DIRS: join(dir, "shared"),
      POSTGRES_HOST: server.hostname,
      POSTGRES_PORT: server.port || "5432",
      POSTGRES_USER: decodeURIComponent(server.username) || "postgres",
      // The test server trusts local logins; compose's requires it.
      POSTGRES_PASSWORD: "unused-by-a-trusting-server",
      POSTGRES_DB: database.name,
    },
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  await runInit();
}, 120_000);

afterAll(async () => {
  await database.drop();
  const admin = new pg.Client({ connectionString: testServers().databaseUrl });
  await admin.connect();
  const roles = await admin.query<{ rolname: string }>("select rolname from pg_roles where rolname like $1", [
    `${database.name}\\_%`,
  ]);
  for (const r of roles.rows) await admin.query(`drop role "${r.rolname}"`);
  await admin.end();
  rmSync(dir, { recursive: true, force: true });
});

describe("init (compose's setup step)", () => {
  it("init - each service's bundle holds its own keys and its own database URL, nothing of another's", () => {
    for (const { service, schema } of ServiceSchemas) {
      const bundle = join(trust, service);
      const files = readdirSync(bundle);
      expect(files.filter((f) => f.endsWith(".key")).sort()).toEqual([`${service}.key`, "tls.key"]);
      expect(files).toEqual(
        expect.arrayContaining(["tls.key", "tls.crt", "ca.crt", "nats.seed", "database-url"]),
      );
      const url = new URL(readFileSync(join(bundle, "database-url"), "utf8").trim());
      expect(url.username).toBe(`${database.name}_${schema}_runtime`);
      expect(statSync(join(bundle, "database-url")).mode & 0o777).toBe(0o400);
    }
    // The operator's bundle and the CA key stay in the trust root; no database URL for sre.
    expect(existsSync(join(trust, "sre", "sre.key"))).toBe(true);
    expect(existsSync(join(trust, "sre", "database-url"))).toBe(false);
    expect(existsSync(join(trust, "ca", "ca.key"))).toBe(true);
  });

  it("init - the NATS configuration it writes is accepted by nats-server and names every bus user", () => {
    const text = readFileSync(natsConfig, "utf8");
    const users = JSON.parse(readFileSync(join(trust, "public", "nats-users.json"), "utf8")) as Record<
      string,
      string
    >;
    for (const service of ["applications", "hosts", "backups", "provisioner"])
      expect(text).toContain(users[service]);
    expect(text).toContain("authorization");
    execFileSync("nats-server", ["-t", "-c", natsConfig], { stdio: "pipe" }); // throws on a bad configuration
  });

  it("init - the simulator's credentials are its own, with a certificate the platform CA did not issue", () => {
    expect(readdirSync(simDir).sort()).toEqual(Object.values(SimulatorFiles).sort());
    const cert = new X509Certificate(readFileSync(join(simDir, SimulatorFiles.tlsCert)));
    const platformCa = new X509Certificate(readFileSync(join(trust, "ca", "ca.crt")));
    expect(cert.checkIssued(platformCa)).toBe(false);
    expect(cert.subjectAltName).toContain("DNS:proxmox-sim");
    expect(readFileSync(join(simDir, SimulatorFiles.sshPassword), "utf8").length).toBeGreaterThanOrEqual(32);
  });

  it("init - running again keeps every key, credential and password", async () => {
    const snapshot = () =>
      [
        ...ServiceSchemas.flatMap(({ service }) => [
          join(trust, service, `${service}.key`),
          join(trust, service, "database-url"),
        ]),
        join(trust, "ca", "ca.key"),
        ...Object.values(SimulatorFiles).map((f) => join(simDir, f)),
      ].map((file) => readFileSync(file, "utf8"));
    const before = snapshot();
    await runInit();
    expect(snapshot()).toEqual(before);
  }, 120_000);
});
