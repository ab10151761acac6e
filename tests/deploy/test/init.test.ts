import { execFile, execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { createTestDatabase, type PrivateNats, startPrivateNats, testServers } from "@proximity/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ServiceSchemas } from "../../../deploy/service-schemas.js";
import { SIMULATOR_HOST_KEYS, SimulatorFiles } from "../../../deploy/simulator-credentials.js";
import {
  ALL_STREAMS,
  BUS_ADMIN_SEED_FILE,
  connectBus,
  connectBusAdmin,
  KvBuckets,
  kvStreamName,
  readBusAdminSeed,
  streamName,
} from "../../../packages/bus/src/index.js";
import { createLogger } from "../../../packages/logger/src/index.js";
import { loadOrCreateHostKeys } from "../../../services/proxmox-sim/src/host-key-store.js";
import { createProxmoxSimulator } from "../../../services/proxmox-sim/src/index.js";
import { repositoryRoot } from "../src/compose.js";

// Compose's init step as a process, without Docker: the same script and variables, on this
// machine's PostgreSQL and in temporary directories.
const dir = mkdtempSync(join(tmpdir(), "proximity-init-"));
const trust = join(dir, "keys");
const natsConfig = join(dir, "nats-config", "nats.conf");
const simDir = join(dir, "sim");
const bootstrapFile = join(dir, "hosts-bootstrap", "host.json");
const busAdminDir = join(dir, "bus-admin");
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
      BUS_ADMIN_DIR: busAdminDir,
      SIM_DIR: simDir,
      SIM_NODES: "pve1,pve2",
      SIM_HTTP_PORT: "8006",
      SIM_SSH_PORT: "2222",
      SIM_ADDRESS: "proxmox-sim",
      SIM_BOOTSTRAP_FILE: bootstrapFile,
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

  it("init - bus-init declares every stream and KV bucket as the bus admin on the NATS init configured; a service then finds its own", async () => {
    const admin = readBusAdminSeed(busAdminDir);
    expect(statSync(join(busAdminDir, BUS_ADMIN_SEED_FILE)).mode & 0o777).toBe(0o400);
    expect(readFileSync(natsConfig, "utf8")).toContain(admin.publicKey);
    // The admin's seed is in no service's bundle.
    for (const { service } of ServiceSchemas)
      for (const file of readdirSync(join(trust, service)))
        expect(readFileSync(join(trust, service, file), "utf8")).not.toContain(admin.seed);
    // nats-server runs init's configuration; only the address differs (this machine's 4222 is taken).
    let nats: PrivateNats | undefined;
    try {
      nats = await startPrivateNats(({ port }) =>
        readFileSync(natsConfig, "utf8").replace(/^listen: .*$/m, `listen: "127.0.0.1:${port}"`),
      );
      const busInit = () =>
        promisify(execFile)(process.execPath, ["--import", "tsx", "deploy/bus-init.ts"], {
          cwd: repositoryRoot,
          env: {
            PATH: process.env.PATH,
            LOG_LEVEL: "warn",
            NATS_URL: nats!.url,
            BUS_NAMESPACE: "proximity",
            BUS_ADMIN_DIR: busAdminDir,
            BUS_STREAM_MAX_BYTES: String(4 * 1024 * 1024),
          },
        });
      await busInit();
      await busInit(); // again: idempotent
      const nc = await connectBusAdmin({ servers: nats.url, seed: admin.seed });
      try {
        const jsm = await nc.jetstreamManager();
        for (const s of ALL_STREAMS)
          expect((await jsm.streams.info(streamName("proximity", s))).config.max_bytes).toBe(4 * 1024 * 1024);
        for (const b of Object.values(KvBuckets))
          expect((await jsm.streams.info(kvStreamName("proximity", b))).config.max_age).toBe(
            b.ttlMs * 1_000_000,
          );
      } finally {
        await nc.close();
      }
      const provisioner = await connectBus({
        servers: nats.url,
        name: "provisioner",
        ns: "proximity",
        logger: createLogger({ service: "init-test", level: "silent" }),
        natsSeed: readFileSync(join(trust, "provisioner", "nats.seed"), "utf8").trim(),
      });
      await provisioner.close();
      expect(nats.output()).not.toMatch(/Permissions Violation/);
    } finally {
      await nats?.stop();
    }
  }, 120_000);

  it("init - the simulator's credentials are its own, with a certificate the platform CA did not issue", () => {
    expect(readdirSync(simDir).sort()).toEqual(
      [...Object.values(SimulatorFiles), SIMULATOR_HOST_KEYS].sort(),
    );
    expect(readdirSync(join(simDir, SIMULATOR_HOST_KEYS)).sort()).toEqual(["pve1.key", "pve2.key"]);
    const cert = new X509Certificate(readFileSync(join(simDir, SimulatorFiles.tlsCert)));
    const platformCa = new X509Certificate(readFileSync(join(trust, "ca", "ca.crt")));
    expect(cert.checkIssued(platformCa)).toBe(false);
    expect(cert.subjectAltName).toContain("DNS:proxmox-sim");
    expect(readFileSync(join(simDir, SimulatorFiles.sshPassword), "utf8").length).toBeGreaterThanOrEqual(32);
  });

  it("init - the hosts service's bootstrap host registers the simulator as it runs, pinned, without its private keys", async () => {
    const text = readFileSync(bootstrapFile, "utf8");
    expect(statSync(bootstrapFile).mode & 0o777).toBe(0o400);
    const host = JSON.parse(text) as Record<string, unknown>;
    const cert = new X509Certificate(readFileSync(join(simDir, SimulatorFiles.tlsCert)));
    // The fingerprints the simulator presents with the keys init gave it.
    const sim = createProxmoxSimulator({
      nodes: ["pve1", "pve2"],
      httpPort: 0,
      sshPort: 0,
      admin: false,
      hostKeys: await loadOrCreateHostKeys(join(simDir, SIMULATOR_HOST_KEYS), ["pve1", "pve2"]),
    });
    const running = await sim.start();
    await sim.stop();
    expect(host).toMatchObject({
      name: "simulator",
      address: "proxmox-sim",
      port: 8006,
      tls_fingerprint: cert.fingerprint256,
      credentials: {
        api_secret: readFileSync(join(simDir, SimulatorFiles.tokenSecret), "utf8").trim(),
        ssh_password: readFileSync(join(simDir, SimulatorFiles.sshPassword), "utf8").trim(),
      },
      nodes: running.nodes.map((n, i) => ({
        name: n.name,
        ssh_host: "proxmox-sim",
        ssh_port: 2222 + i,
        ssh_host_key_fingerprint: n.hostKeyFingerprint,
      })),
    });
    expect(host).not.toHaveProperty("insecure_http");
    expect(text).not.toContain("PRIVATE KEY");
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
        join(simDir, SIMULATOR_HOST_KEYS, "pve1.key"),
        bootstrapFile,
      ].map((file) => readFileSync(file, "utf8"));
    const before = snapshot();
    await runInit();
    expect(snapshot()).toEqual(before);
  }, 120_000);
});
