import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { BundleFiles, writeServiceBundles } from "@proximity/identity";
import { metricsRegistry } from "@proximity/metrics";
import { backupsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServiceClient, generateServiceKeys, loadServiceKeys } from "../src/index.js";
import { startBackupsServer, type TestServer } from "./support/backups-server.js";

const run = promisify(execFile);
const keys = await generateServiceKeys(["backups", "api-gateway", "applications"]);
let backups: TestServer;
let address: string;

beforeAll(async () => {
  backups = await startBackupsServer(keys.get("backups")!, { callers: ["api-gateway", "applications"] });
  address = backups.address;
});

afterAll(async () => {
  await backups.server.shutdown(1_000);
});

const clientAs = (identity: string) =>
  createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
    address,
    audience: "backups",
    keys: keys.get(identity)!,
    defaultDeadlineMs: 5_000,
  });

describe("error mapping", () => {
  it("typed errors cross the wire with their codes, field errors and safe messages", async () => {
    const c = clientAs("api-gateway");
    await expect(c.getBackupPolicy({ appId: "missing" })).rejects.toMatchObject({
      code: "NOT_FOUND",
      message: "App not found",
    });
    await expect(c.getBackupPolicy({ appId: "busy" })).rejects.toMatchObject({ code: "CONFLICT" });
    await expect(c.getBackupPolicy({ appId: "bad" })).rejects.toMatchObject({
      code: "INVALID_ARGUMENT",
      fieldErrors: [{ field: "app_id", message: "bad" }],
    });
    const crash = await c.getBackupPolicy({ appId: "crash" }).catch((e: Error) => e);
    expect(crash).toMatchObject({ code: "INTERNAL", message: "Internal error" });
    expect(String((crash as Error).message)).not.toContain("select");
    c.close();
  });

  it("metrics - the client side counts calls by service, method and code, with their latency", async () => {
    const labels = 'service="proximity.backups.v1.BackupsService",method="GetBackupPolicy"';
    const read = async () =>
      (await metricsRegistry().getSingleMetricAsString("proximity_grpc_client_handled_total"))
        .split("\n")
        .find((l) => l.startsWith(`proximity_grpc_client_handled_total{${labels},code="NOT_FOUND"}`));
    const before = Number((await read())?.split(" ")[1] ?? 0);
    const c = clientAs("api-gateway");
    await expect(c.getBackupPolicy({ appId: "missing" })).rejects.toMatchObject({ code: "NOT_FOUND" });
    c.close();
    expect(Number((await read())?.split(" ")[1])).toBe(before + 1);
    const latency = await metricsRegistry().getSingleMetricAsString("proximity_grpc_client_handling_seconds");
    expect(latency).toContain(`proximity_grpc_client_handling_seconds_count{${labels}}`);
  });

  it("client - a call to a server that never answers fails with DEADLINE_EXCEEDED at the client's default deadline", async () => {
    const c = createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
      address,
      audience: "backups",
      keys: keys.get("api-gateway")!,
      defaultDeadlineMs: 300,
    });
    const started = Date.now();
    const err = await c.getBackupPolicy({ appId: "hang" }).catch((e: unknown) => e);
    const elapsed = Date.now() - started;
    expect(err).toMatchObject({ code: "DEADLINE_EXCEEDED" });
    // Reached the server and waited for the deadline (not refused), and did not wait for the handler.
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(5_000); // far below the 10 s built-in default
    // The server learnt that the client gave up (the handler's signal was aborted).
    for (let i = 0; i < 50 && backups.hangAborted.length === 0; i++)
      await new Promise((r) => setTimeout(r, 100));
    expect(backups.hangAborted).toEqual([true]);
    // A per-call deadline overrides the default.
    const longer = Date.now();
    await expect(c.getBackupPolicy({ appId: "hang" }, { deadlineMs: 800 })).rejects.toMatchObject({
      code: "DEADLINE_EXCEEDED",
    });
    expect(Date.now() - longer).toBeGreaterThanOrEqual(750);
    c.close();
  });
});

describe("SRE tooling", () => {
  // The operator's path end to end: bundles as setup writes them, the sre bundle for buf curl.
  const root = resolve(import.meta.dirname, "../../..");
  const trust = mkdtempSync(join(tmpdir(), "proximity-trust-"));
  const sre = join(trust, "sre");
  const tls = () => [
    ...["--cacert", join(sre, BundleFiles.caCert), "--cert", join(sre, BundleFiles.tlsCert)],
    ...["--key", join(sre, BundleFiles.tlsKey), "--servername", "backups"],
  ];
  const buf = join(root, "node_modules/.bin/buf");
  let served: TestServer;
  let url: string;

  beforeAll(async () => {
    await writeServiceBundles(trust, ["backups", "sre"]);
    served = await startBackupsServer(loadServiceKeys(join(trust, "backups"), "backups"), {
      callers: ["sre"],
    });
    url = `https://${served.address}`;
  });

  afterAll(async () => {
    await served.server.shutdown(1_000);
    rmSync(trust, { recursive: true, force: true });
  });

  it("buf curl - lists services through reflection and calls health over mTLS with the sre certificate", async () => {
    const base = ["curl", "--protocol", "grpc", ...tls()];
    const list = await run(buf, [...base, "--list-methods", url]);
    expect(list.stdout).toContain("proximity.backups.v1.BackupsService/GetBackupPolicy");
    expect(list.stdout).toContain("grpc.health.v1.Health/Check");
    const health = await run(buf, [...base, `${url}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(health.stdout)).toEqual({ status: "SERVING" });
    served.server.setServing(false);
    const notServing = await run(buf, [...base, `${url}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(notServing.stdout)).toEqual({ status: "NOT_SERVING" });
    served.server.setServing(true);
  });

  it("buf curl - reflection and health refuse a client without a platform certificate", async () => {
    const noCert = [
      "curl",
      "--protocol",
      "grpc",
      "--cacert",
      join(sre, BundleFiles.caCert),
      "--servername",
      "backups",
    ];
    await expect(run(buf, [...noCert, "--list-methods", url])).rejects.toThrow();
    await expect(run(buf, [...noCert, `${url}/grpc.health.v1.Health/Check`])).rejects.toThrow();
    const plaintext = ["curl", "--protocol", "grpc", "--http2-prior-knowledge"];
    await expect(
      run(buf, [...plaintext, `http://${served.address}/grpc.health.v1.Health/Check`]),
    ).rejects.toThrow();
  });

  it("service-token script - prints a buf curl command that makes exactly one call of its method", async () => {
    const method = `${url}/proximity.backups.v1.BackupsService/GetBackupPolicy`;
    const printed = await run(
      join(root, "node_modules/.bin/tsx"),
      [join(root, "scripts/service-token.ts"), method, "-d", `{"app_id": "sre's app"}`],
      { env: { ...process.env, SERVICE_KEYS_DIR: sre }, cwd: root },
    );
    const command = printed.stdout.trim();
    expect(command).toMatch(
      /^pnpm exec buf curl --protocol grpc --cacert \S+ca\.crt --cert \S+tls\.crt --key \S+tls\.key /,
    );
    expect(command).toContain("--servername backups -H 'authorization: Bearer v2.");
    const answer = await run("sh", ["-c", command], { cwd: root });
    expect(JSON.parse(answer.stdout)).toMatchObject({ policy: { appId: "sre's app" } });
    expect(served.seen.at(-1)).toMatchObject({ caller: "sre", user: undefined });
    // The token was for one call: the same command again is refused.
    const again = await run("sh", ["-c", command], { cwd: root }).catch((e: { stderr: string }) => e);
    expect(again).toMatchObject({ stderr: expect.stringMatching(/unauthenticated[\s\S]*replayed/) });
  });
});
