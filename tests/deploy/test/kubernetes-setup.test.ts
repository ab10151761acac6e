/**
 * What the Kubernetes manifests run besides the services, exercised for real without a cluster:
 * the gRPC health probe against a real mutual-TLS server, the setup Job's Secrets round trip
 * (publish, then restore into a new pod's directory, init keeping every key) against a stand-in
 * of the Kubernetes API, and the shipped NATS configuration as a three-server JetStream cluster
 * on which bus-init keeps three copies of every stream and bucket (BUS_REPLICAS).
 */
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import {
  ALL_STREAMS,
  connectBusAdmin,
  KvBuckets,
  kvStreamName,
  natsServerConfig,
  readBusAdminSeed,
  streamName,
  writeBusAdminSeed,
} from "@proximity/bus";
import { createGrpcServer, type GrpcServer } from "@proximity/grpc";
import { generateNatsUser, loadServiceKeys, writeServiceBundles } from "@proximity/identity";
import { createLogger } from "@proximity/logger";
import { freeTcpPort, natsServerBinary } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  publishSetup,
  restoreSetup,
  SETUP_LABELS,
  type SecretObject,
  SetupLayout,
  SetupSecrets,
  secretDataOf,
  writeSecretData,
} from "../../../deploy/kubernetes/setup/setup-secrets.js";
import { kubeSecretStore } from "../../../deploy/kubernetes/setup/sync-secrets.js";
import { repositoryRoot } from "../src/compose.js";

const run = promisify(execFile);
const logger = createLogger({ service: "kubernetes-setup-test", level: "silent" });
const scratch = mkdtempSync(join(tmpdir(), "kubernetes-setup-"));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("probe/grpc-health.mjs", () => {
  const keysDir = join(scratch, "probe", "applications");
  let server: GrpcServer;
  let port: number;

  beforeAll(async () => {
    await writeServiceBundles(join(scratch, "probe"), ["applications", "hosts"]);
    server = createGrpcServer({
      logger,
      keys: loadServiceKeys(keysDir, "applications"),
      port: 0,
      services: [],
    });
    port = await server.start();
  });
  afterAll(() => server.shutdown(100));

  /** The probe as the kubelet runs it: its exit code and what it said. */
  const probe = async (...args: string[]) => {
    const script = join(repositoryRoot, "deploy/kubernetes/probe/grpc-health.mjs");
    try {
      await run(process.execPath, [script, ...args]);
      return { code: 0, stderr: "" };
    } catch (err) {
      const e = err as { code: number; stderr: string };
      return { code: e.code, stderr: e.stderr };
    }
  };

  it("probe - ready only when SERVING, alive while it answers at all, over the service's own mutual TLS", async () => {
    server.setServing(false);
    expect(await probe("applications", String(port), keysDir)).toEqual({
      code: 1,
      stderr: "applications: health status 2, not SERVING\n",
    });
    expect((await probe("applications", String(port), keysDir, "--alive")).code).toBe(0);
    server.setServing(true);
    expect((await probe("applications", String(port), keysDir)).code).toBe(0);
  });

  it("probe - another service's name, a closed port or a missing bundle fails the probe", async () => {
    // The server's certificate names applications: a probe expecting hosts refuses it.
    const other = await probe("hosts", String(port), keysDir);
    expect(other.code).toBe(1);
    expect(other.stderr).toMatch(/altnames/);
    const closed = await probe("applications", String(await freeTcpPort()), keysDir);
    expect(closed).toMatchObject({ code: 1, stderr: expect.stringMatching(/ECONNREFUSED/) });
    expect((await probe("applications", String(port), join(scratch, "nowhere"))).code).toBe(1);
    expect((await probe("applications")).code).toBe(2);
  });
});

/** A stand-in for the Kubernetes API's Secrets of one namespace (GET, POST, PUT), with a token. */
function fakeKubernetesApi(token: string): {
  server: Server;
  secrets: Map<string, SecretObject>;
  url: () => string;
} {
  const secrets = new Map<string, SecretObject>();
  let version = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { "content-type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (req.headers.authorization !== `Bearer ${token}`)
      return send(401, { kind: "Status", message: "Unauthorized" });
    const match = /^\/api\/v1\/namespaces\/proximity\/secrets(?:\/([^/]+))?$/.exec(req.url ?? "");
    if (!match) return send(404, { kind: "Status", message: "not found" });
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const name = match[1] && decodeURIComponent(match[1]);
      const body = chunks.length ? (JSON.parse(Buffer.concat(chunks).toString()) as SecretObject) : undefined;
      if (req.method === "GET" && name) {
        const found = secrets.get(name);
        return found
          ? send(200, found)
          : send(404, { kind: "Status", message: `secrets "${name}" not found` });
      }
      const stored = (secret: SecretObject) => {
        const kept = { ...secret, metadata: { ...secret.metadata, resourceVersion: String(++version) } };
        secrets.set(secret.metadata.name, kept);
        return kept;
      };
      if (req.method === "POST" && !name && body) {
        if (secrets.has(body.metadata.name)) return send(409, { kind: "Status", message: "already exists" });
        return send(201, stored(body));
      }
      if (req.method === "PUT" && name && body && secrets.has(name)) {
        // As the API server: a replacement names the version it replaces.
        if (body.metadata.resourceVersion !== secrets.get(name)!.metadata.resourceVersion)
          return send(409, { kind: "Status", message: "the object has been modified" });
        return send(200, stored(body));
      }
      return send(405, { kind: "Status", message: "not allowed" });
    });
  });
  return {
    server,
    secrets,
    url: () => `http://127.0.0.1:${(server.address() as { port: number }).port}`,
  };
}

describe("setup/setup-secrets.ts", () => {
  const api = fakeKubernetesApi("token-of-the-setup-sa");
  beforeAll(() => new Promise<void>((resolve) => api.server.listen(0, "127.0.0.1", resolve)));
  afterAll(() => new Promise<void>((resolve) => api.server.close(() => resolve())));

  /** What init writes without a database: trust bundles, the NATS configuration, the admin's seed. */
  async function writeSetup(root: string) {
    const trust = join(root, SetupLayout.trust);
    await writeServiceBundles(trust, [
      "api-gateway",
      "applications",
      "hosts",
      "backups",
      "secrets",
      "provisioner",
      "sre",
    ]);
    const admin = writeBusAdminSeed(join(root, SetupLayout.busAdmin));
    const users = JSON.parse(readFileSync(join(trust, "public", "nats-users.json"), "utf8")) as Record<
      string,
      string
    >;
    mkdirSync(join(root, SetupLayout.natsConfig), { recursive: true });
    writeFileSync(
      join(root, SetupLayout.natsConfig, "nats.conf"),
      natsServerConfig({
        ns: "proximity",
        users,
        admin: admin.publicKey,
        storeDir: "/data",
        host: "0.0.0.0",
      }),
    );
    writeFileSync(
      join(trust, "applications", "database-url"),
      "postgres://role:pw@postgres:5432/proximity\n",
    );
  }

  it("setup - publish writes each directory as its Secret, and a later run restores them so init keeps every key", async () => {
    const store = kubeSecretStore({
      baseUrl: api.url(),
      namespace: "proximity",
      token: "token-of-the-setup-sa",
    });
    const first = join(scratch, "setup-1");
    await writeSetup(first);
    const published = await publishSetup(store, first);
    // No simulator here (production): its Secrets are not made.
    expect(published).toEqual(SetupSecrets.map((s) => s.name).filter((n) => !/sim|hosts-bootstrap/.test(n)));
    const bundle = api.secrets.get("proximity-bundle-applications")!;
    expect(bundle.metadata.labels).toEqual(SETUP_LABELS);
    expect(Object.keys(bundle.data).sort()).toEqual(
      expect.arrayContaining([
        "applications.key",
        "tls.key",
        "tls.crt",
        "ca.crt",
        "nats.seed",
        "database-url",
        "hosts.pub",
      ]),
    );
    expect(api.secrets.get("proximity-ca")!.data).toHaveProperty(["ca.key"]);

    // The next pod starts empty: restore, then init (here: its key step) keeps what it finds.
    const second = join(scratch, "setup-2");
    expect(await restoreSetup(store, second)).toEqual(published);
    await writeServiceBundles(join(second, SetupLayout.trust), [
      "api-gateway",
      "applications",
      "hosts",
      "backups",
      "secrets",
      "provisioner",
      "sre",
    ]);
    for (const { dir } of SetupSecrets.filter((s) => published.includes(s.name)))
      expect(secretDataOf(join(second, dir))).toEqual(secretDataOf(join(first, dir)));
    // Publishing again replaces each (409, then PUT of the version read) with the same content.
    expect(await publishSetup(store, second)).toEqual(published);
    expect(api.secrets.get("proximity-bundle-applications")!.data).toEqual(bundle.data);
    expect(
      Number(api.secrets.get("proximity-bundle-applications")!.metadata.resourceVersion),
    ).toBeGreaterThan(Number(bundle.metadata.resourceVersion));
  });

  it("setup - a refused call names the API's answer, never a Secret's content; a key that is no file name is refused", async () => {
    const wrong = kubeSecretStore({ baseUrl: api.url(), namespace: "proximity", token: "stolen" });
    await expect(wrong.get("proximity-ca")).rejects.toThrow(
      "reading Secret proximity-ca: HTTP 401 (Unauthorized)",
    );
    expect(() => writeSecretData(join(scratch, "bad"), { "../escape": "eA==" })).toThrow(
      /is not a file name/,
    );
    expect(readdirSync(scratch)).not.toContain("escape");
  });
});

describe("base/nats/nats.conf", () => {
  const servers: ChildProcess[] = [];
  const output: string[] = ["", "", ""];
  let clientPorts: number[] = [];
  let busAdminDir = "";

  beforeAll(async () => {
    // Three servers on this machine with the shipped configuration: its include of setup's
    // configuration, its name from POD_NAME, its cluster block; only addresses are this machine's.
    const shipped = readFileSync(join(repositoryRoot, "deploy/kubernetes/base/nats/nats.conf"), "utf8");
    const root = join(scratch, "nats");
    busAdminDir = join(root, "bus-admin");
    const admin = writeBusAdminSeed(busAdminDir);
    clientPorts = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
    const routePorts = [await freeTcpPort(), await freeTcpPort(), await freeTcpPort()];
    const users = Object.fromEntries(
      ["api-gateway", "applications", "hosts", "backups", "provisioner"].map((n) => [
        n,
        generateNatsUser().publicKey,
      ]),
    );
    for (let i = 0; i < 3; i++) {
      const dir = join(root, `nats-${i}`);
      mkdirSync(join(dir, "cluster"), { recursive: true });
      mkdirSync(join(dir, "proximity"), { recursive: true });
      writeFileSync(
        join(dir, "proximity", "nats.conf"),
        natsServerConfig({
          ns: "proximity",
          users,
          admin: admin.publicKey,
          storeDir: join(dir, "data"),
          port: clientPorts[i],
        }),
      );
      let config = shipped
        .replace(/^http_port: .*$/m, "")
        .replace(/^pid_file: .*$/m, `pid_file: "${join(dir, "nats.pid")}"`)
        .replace(/listen: "0\.0\.0\.0:6222"/, `listen: "127.0.0.1:${routePorts[i]}"`);
      for (let j = 0; j < 3; j++)
        config = config.replace(`nats://nats-${j}.nats-cluster:6222`, `nats://127.0.0.1:${routePorts[j]}`);
      expect(config).toContain('include "../proximity/nats.conf"');
      writeFileSync(join(dir, "cluster", "nats.conf"), config);
      const server = spawn(natsServerBinary(), ["-c", join(dir, "cluster", "nats.conf")], {
        env: { ...process.env, POD_NAME: `nats-${i}` },
        stdio: ["ignore", "pipe", "pipe"],
      });
      const collect = (chunk: Buffer) => {
        output[i] = (output[i]! + chunk.toString()).slice(-50_000);
      };
      server.stdout?.on("data", collect);
      server.stderr?.on("data", collect);
      servers.push(server);
    }
  }, 30_000);

  afterAll(async () => {
    for (const server of servers) {
      const exited = new Promise((resolve) => server.once("exit", resolve));
      server.kill("SIGTERM");
      await exited;
    }
  });

  it("nats - three servers form one JetStream cluster, and bus-init keeps BUS_REPLICAS=3 copies of every stream and bucket", async () => {
    const servers = clientPorts.map((p) => `nats://127.0.0.1:${p}`).join(",");
    const busInit = (replicas: string) =>
      run(process.execPath, ["--import", "tsx", "deploy/bus-init.ts"], {
        cwd: repositoryRoot,
        env: {
          PATH: process.env.PATH,
          LOG_LEVEL: "warn",
          NATS_URL: servers,
          BUS_NAMESPACE: "proximity",
          BUS_ADMIN_DIR: busAdminDir,
          BUS_STREAM_MAX_BYTES: String(4 * 1024 * 1024),
          BUS_REPLICAS: replicas,
          BUS_INIT_WAIT_MS: "20000",
        },
      });
    // bus-init waits for the servers to listen; the cluster then elects its meta leader within
    // seconds, and until it has one JetStream refuses: try again, as the Job's retries do.
    const deadline = Date.now() + 30_000;
    for (;;) {
      try {
        await busInit("3");
        break;
      } catch (err) {
        if (Date.now() > deadline)
          throw new Error(`bus-init failed: ${(err as Error).message}\n${output.join("\n")}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
    const nc = await connectBusAdmin({ servers, seed: readBusAdminSeed(busAdminDir).seed });
    try {
      const jsm = await nc.jetstreamManager();
      const names = [
        ...ALL_STREAMS.map((s) => streamName("proximity", s)),
        ...Object.values(KvBuckets).map((b) => kvStreamName("proximity", b)),
      ];
      for (const name of names) {
        const info = await jsm.streams.info(name);
        expect(info.config.num_replicas).toBe(3);
        expect(info.cluster?.name).toBe("proximity");
        expect(new Set([info.cluster?.leader, ...(info.cluster?.replicas ?? []).map((r) => r.name)])).toEqual(
          new Set(["nats-0", "nats-1", "nats-2"]),
        );
      }
    } finally {
      await nc.close();
    }
    await expect(busInit("6")).rejects.toMatchObject({
      code: 78,
      stderr: expect.stringMatching(/BUS_REPLICAS: at most 5/),
    });
  }, 60_000);
});
