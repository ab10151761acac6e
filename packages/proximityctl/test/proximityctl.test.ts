/**
 * proximityctl against the whole platform (tests/e2e's in-process platform: every service, the
 * simulator, a scratch database and bus namespace) with a trust setup on disk: the CLI loads the
 * sre bundle like an operator's, and its main function runs in this process.
 */
import { randomUUID } from "node:crypto";
import { join } from "node:path";
import { type Bus, connectBus, Events, eventSigner } from "@proximity/bus";
import { publishSignedEvent } from "@proximity/bus/internal";
import { GatewayClient, type Platform, startPlatform } from "@proximity/e2e";
import type { hostsV1, provisionerV1, secretsV1 } from "@proximity/proto";
import { eventually, testLogger, testServers } from "@proximity/testing";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliRun, runCli } from "./support/run-cli.js";
import { type TrustDir, writeTrust } from "./support/trust.js";

const WHOAMI_COMPOSE = 'services:\n  web:\n    image: traefik/whoami\n    ports:\n      - "8080:80"\n';

let trust: TrustDir;
let platform: Platform;
let admin: GatewayClient;
let bus: Bus;
let database: pg.Client;
let hostId: string;
let appId: string;

/** proximityctl as an operator runs it: the sre bundle and the services' addresses from the environment. */
const cli = (...argv: string[]): Promise<CliRun> =>
  runCli(argv, {
    PROXIMITY_IDENTITY: trust.bundle("sre"),
    APPLICATIONS_GRPC_ADDR: platform.grpcAddresses.applications,
    HOSTS_GRPC_ADDR: platform.grpcAddresses.hosts,
    SECRETS_GRPC_ADDR: platform.grpcAddresses.secrets,
    PROVISIONER_GRPC_ADDR: platform.grpcAddresses.provisioner,
  });

/** Runs a command that must succeed and returns its JSON. */
async function cliJson<T>(...argv: string[]): Promise<T> {
  const run = await cli(...argv, "--json");
  expect(run.stderr).toBe("");
  expect(run.code).toBe(0);
  return run.json<T>();
}

async function deployThroughGateway(hostname: string): Promise<{ id: string; status: string }> {
  const res = await admin.post("/api/apps", { catalog_id: "whoami", hostname });
  expect(res.status).toBe(202);
  return eventually(
    async () => {
      const app = (await admin.get(`/api/apps/${res.body.id}`)).body;
      return app.status === "running" || app.status === "error" ? app : undefined;
    },
    { timeoutMs: 40_000, what: `app ${hostname} settled` },
  );
}

beforeAll(async () => {
  trust = await writeTrust();
  platform = await startPlatform({
    ...testServers(),
    logLevel: process.env.TEST_LOG_LEVEL,
    keys: trust.keys,
    // Requests are given up after 2 attempts, quickly (dead letters within seconds); a delivery
    // waits a held claim out for up to one claim TTL (and a second) before it counts as busy.
    provisionerEnv: {
      PROVISIONER_MAX_DELIVER: "2",
      OPERATION_CLAIM_TTL_MS: "2000",
      PROVISIONER_BACKOFF_BASE_MS: "50",
      PROVISIONER_BACKOFF_MAX_MS: "200",
      TASK_TIMEOUT_MS: "3000",
    },
  });
  admin = new GatewayClient(platform.url);
  await admin.login(platform.adminUsername, platform.adminPassword);
  const host = await admin.post("/api/proxmox/hosts", platform.hostRegistration());
  expect(host.status).toBe(201);
  hostId = host.body.id;
  const app = await deployThroughGateway("ctl-whoami");
  expect(app.status).toBe("running");
  appId = app.id;
  bus = await connectBus({
    servers: testServers().natsUrl,
    name: "proximityctl-test",
    ns: platform.busNamespace,
    logger: testLogger(),
  });
  database = new pg.Client({ connectionString: platform.databaseUrl });
  await database.connect();
}, 120_000);

afterAll(async () => {
  await database?.end();
  await bus?.close();
  await platform?.stop();
  await trust?.remove();
});

describe("proximityctl against the platform", () => {
  it("apps operations - the deploy made through the gateway, with its steps; --json parses", async () => {
    const text = await cli("apps", "operations", appId);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^deploy [0-9a-f-]{36} {2}succeeded {2}attempts 1 {2}/);
    expect(text.stdout).toContain("  STEP");
    const { items } = await cliJson<provisionerV1.ListAppOperationsResponse>("apps", "operations", appId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: "deploy", status: "succeeded", appId, hostId, node: "pve1" });
    expect(items[0]!.steps.length).toBeGreaterThan(2);
    const none = await cli("apps", "operations", randomUUID());
    expect(none.code).toBe(0);
    expect(none.stdout).toMatch(/^No operations recorded for app /);
  });

  it("hosts check - runs a check now and shows its result; an unknown host exits 3", async () => {
    const run = await cli("hosts", "check", hostId);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Host ${hostId} \\(simulator\\): reachable, checked \\d{4}-`));
    expect(run.stdout).toContain("pve1");
    const json = await cliJson<{ checkId: string; checked: boolean; host: hostsV1.Host }>(
      "hosts",
      "check",
      hostId,
    );
    expect(json).toMatchObject({ checked: true, host: { id: hostId, status: "reachable" } });
    const queued = await cliJson<{ checked: boolean }>("hosts", "check", hostId, "--no-wait");
    expect(queued.checked).toBe(false);

    const unknown = await cli("hosts", "check", randomUUID());
    expect(unknown.code).toBe(3);
    expect(unknown.stderr).toMatch(
      /^proximityctl: hosts at 127\.0\.0\.1:\d+: GetHost: NOT_FOUND: Host not found\n$/,
    );
  });

  it("breakers - list shows the replica and its breakers; reset forgets one there; a second reset exits 3", async () => {
    const list = await cli("breakers", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/^Breakers of provisioner replica \S+ \(each replica has its own/);
    expect(list.stdout).toMatch(new RegExp(`\\n${hostId}\\s+closed\\s+\\d+`));
    const { replica, items } = await cliJson<provisionerV1.ListBreakersResponse>("breakers", "list");
    expect(items.map((b) => b.key)).toContain(hostId);

    const reset = await cli("breakers", "reset", hostId);
    expect(reset.code).toBe(0);
    expect(reset.stdout).toContain(
      `Breaker of host ${hostId} reset on provisioner replica ${replica} (it was closed).`,
    );
    expect(reset.stdout).toContain("other replicas keep their own breakers");
    expect((await cliJson<provisionerV1.ListBreakersResponse>("breakers", "list")).items).toEqual([]);
    const again = await cli("breakers", "reset", hostId);
    expect(again.code).toBe(3);
    expect(again.stderr).toContain(
      `ResetBreaker: NOT_FOUND: Provisioner replica ${replica} has no breaker for host ${hostId}`,
    );
  });

  it("keys - usage counts versions per key-encryption key; rotate re-wraps (nothing left to do here)", async () => {
    const usage = await cliJson<secretsV1.GetKeyUsageResponse>("keys", "usage");
    expect(usage.currentKeyId).toBe("k1");
    expect(usage.usage.find((u) => u.keyId === "k1")?.versions).toBeGreaterThan(0);
    const text = await cli("keys", "usage");
    expect(text.stdout).toMatch(
      /^Current key-encryption key: k1\nKEY +SECRET VERSIONS +CURRENT\nk1 +\d+ +yes$/m,
    );
    const rotate = await cliJson<secretsV1.RewrapDataKeysResponse>("keys", "rotate", "--batch-size", "10");
    expect(rotate).toMatchObject({ currentKeyId: "k1", rewrapped: 0, remaining: 0 });
    // Nothing of a secret comes back: key ids and counts only.
    expect(JSON.stringify(usage) + JSON.stringify(rotate)).not.toMatch(/value|password|secret/i);
  });

  it("catalog reload - reloads and counts the items", async () => {
    const { count } = await cliJson<{ count: number }>("catalog", "reload");
    expect(count).toBeGreaterThan(10);
    expect((await cli("catalog", "reload")).stdout).toMatch(
      /^Catalog reloaded: \d+ items on the applications replica/,
    );
  });

  it("dead letters - a deploy that failed for good is listed and shown, and its replay is refused (exit 1)", {
    timeout: 90_000,
  }, async () => {
    const fault = platform.sim.addFault({
      match: { taskType: "vzcreate" },
      effect: { kind: "task-failure", message: "storage full" },
    });
    let failed: { id: string; status: string };
    try {
      failed = await deployThroughGateway("ctl-doomed");
    } finally {
      platform.sim.removeFault(fault);
    }
    expect(failed.status).toBe("error");
    const shown = await eventually(
      async () => {
        const { items } = await cliJson<provisionerV1.ListDeadLettersResponse>("dead-letters", "list");
        for (const d of items.filter((i) => i.consumer === "provisioner-deploy")) {
          const s = await cliJson<provisionerV1.GetDeadLetterResponse>("dead-letters", "show", String(d.seq));
          if (s.appId === failed.id) return s;
        }
        return undefined;
      },
      { timeoutMs: 20_000, what: "dead letter of the failed deploy" },
    );
    expect(shown).toMatchObject({ operationStatus: "failed", replayable: false });
    const seq = String(shown.deadLetter!.seq);
    const text = await cli("dead-letters", "show", seq);
    expect(text.stdout).toMatch(/^seq: +\d+$/m);
    expect(text.stdout).toMatch(/^operation status: +failed$/m);
    expect(text.stdout).toMatch(/^replayable: +no: Operation \S+ already failed/m);

    const replay = await cli("dead-letters", "replay", seq);
    expect(replay.code).toBe(1);
    expect(replay.stdout).toBe("");
    expect(replay.stderr).toMatch(
      /^proximityctl: provisioner at 127\.0\.0\.1:\d+: ReplayDeadLetter: ABORTED: Operation \S+ already failed: a replay would be acknowledged as a duplicate/,
    );
    expect(replay.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("dead letters - a request given up while a dead worker held its operation: replayed once, run once", {
    timeout: 90_000,
  }, async () => {
    // A worker that died holding the operation: every delivery finds it busy, and the request is
    // given up with its operation unfinished.
    const operationId = randomUUID();
    const orphanApp = `app-${randomUUID().slice(0, 8)}`;
    await database.query(
      `insert into provisioner.operations (id, kind, app_id, host_id, node, status, claimed_by, claimed_until)
       values ($1, 'deploy', $2, $3, 'pve1', 'running', 'crashed-worker', now() + interval '10 minutes')`,
      [operationId, orphanApp, hostId],
    );
    const eventId = randomUUID();
    await publishSignedEvent(
      bus.js,
      platform.busNamespace,
      eventSigner(trust.keys.get("applications")!),
      Events.AppDeployRequested,
      {
        operationId,
        appId: orphanApp,
        ownerId: randomUUID(),
        hostId,
        node: "pve1",
        hostname: orphanApp,
        catalogId: "whoami",
        compose: WHOAMI_COMPOSE,
        environment: {},
        resources: { cores: 1, memoryMb: 256, diskGb: 2 },
        port: 80,
        publicPort: 0,
        secretEnvironment: [],
        notAfter: new Date(Date.now() + 30 * 60_000),
      },
      { id: eventId },
    );
    const listed = await eventually(
      async () =>
        (await cliJson<provisionerV1.ListDeadLettersResponse>("dead-letters", "list")).items.find(
          (d) => d.eventId === eventId,
        ),
      { timeoutMs: 20_000, what: "dead letter of the busy request" },
    );
    const seq = String(listed.seq);
    const table = await cli("dead-letters", "list");
    expect(table.stdout).toMatch(/^SEQ +RECORDED +CONSUMER +EVENT +EVENT ID +DELIVERIES +REPLAYED$/m);
    expect(table.stdout).toMatch(
      new RegExp(`^${seq} +\\S+ +provisioner-deploy +AppDeployRequested +${eventId} +2 +-$`, "m"),
    );

    const held = await cli("apps", "operations", orphanApp);
    expect(held.stdout).toMatch(/^deploy \S+ {2}running {2}attempts 0 /);
    expect(held.stdout).toMatch(/^ {2}claimed by crashed-worker until \S+$/m);
    const busy = await cli("dead-letters", "replay", seq);
    expect(busy.code).toBe(1);
    expect(busy.stderr).toContain(
      `ABORTED: Operation ${operationId} is being worked on (claimed by crashed-worker until`,
    );

    // The claim has expired (the worker is gone for good): now the replay goes through.
    await database.query(
      "update provisioner.operations set claimed_until = now() - interval '1 second' where id = $1",
      [operationId],
    );
    const replay = await cli("dead-letters", "replay", seq);
    expect(replay.stderr).toBe("");
    expect(replay.code).toBe(0);
    expect(replay.stdout).toMatch(
      new RegExp(`^Dead letter ${seq} replayed: event ${eventId} republished to \\S+app_deploy_requested`),
    );
    const second = await cli("dead-letters", "replay", seq, "--json");
    expect(second.code).toBe(1);
    expect(second.stdout).toBe("");
    expect(second.stderr).toContain(`ABORTED: Dead letter ${seq} was already replayed at `);

    const ran = await eventually(
      async () => {
        const { items } = await cliJson<provisionerV1.ListAppOperationsResponse>(
          "apps",
          "operations",
          orphanApp,
        );
        return items[0]?.status === "succeeded" ? items[0] : undefined;
      },
      { timeoutMs: 40_000, what: "replayed operation succeeded" },
    );
    expect(ran).toMatchObject({ id: operationId, attempts: 1 });
    const shown = await cliJson<provisionerV1.GetDeadLetterResponse>("dead-letters", "show", seq);
    expect(shown).toMatchObject({ operationStatus: "succeeded", replayable: false });
    expect(shown.deadLetter?.replayedAt).toBeDefined();
  });

  it("identity - another platform's sre bundle is refused at the TLS handshake: exit 4", async () => {
    const foreign = await writeTrust(["sre"]);
    try {
      const run = await runCli(
        ["breakers", "list", "--identity", join(foreign.dir, "sre"), "--timeout", "3"],
        {
          PROVISIONER_GRPC_ADDR: platform.grpcAddresses.provisioner,
        },
      );
      expect(run.code).toBe(4);
      expect(run.stderr).toMatch(
        /^proximityctl: provisioner at 127\.0\.0\.1:\d+: ListBreakers: UNAVAILABLE: /,
      );
      expect(run.stderr).toContain("certificate");
      expect(run.stderr).toMatch(
        /\(the TLS handshake failed: is the identity this platform's sre bundle\?\)\n$/,
      );
    } finally {
      await foreign.remove();
    }
  });
});
