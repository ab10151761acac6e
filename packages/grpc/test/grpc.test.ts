import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { ConflictError, NotFoundError, ValidationError } from "@proximity/errors";
import { backupsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type CallContext,
  createGrpcServer,
  createHandlerFactory,
  createServiceClient,
  createTokenIssuer,
  type GrpcServer,
  generateServiceKeys,
  verifyServiceToken,
} from "../src/index.js";

const run = promisify(execFile);
const keys = await generateServiceKeys(["backups", "api-gateway", "applications"]);
const seen: CallContext[] = [];
const hangAborted: boolean[] = [];
let server: GrpcServer;
let address: string;

beforeAll(async () => {
  const h = createHandlerFactory({ keys: keys.get("backups")!, logger: testLogger() });
  // Only the RPC the tests call; grpc-js answers UNIMPLEMENTED for the rest.
  const implementation: Pick<backupsV1.BackupsServiceServer, "getBackupPolicy"> = {
    getBackupPolicy: h.unary(
      "GetBackupPolicy",
      { callers: ["api-gateway", "applications"] },
      async (req: backupsV1.GetBackupPolicyRequest, ctx) => {
        seen.push(ctx);
        if (req.appId === "missing") throw new NotFoundError("App not found");
        if (req.appId === "bad")
          throw new ValidationError("Invalid request", [{ field: "app_id", message: "bad" }]);
        if (req.appId === "busy") throw new ConflictError("Busy");
        if (req.appId === "crash") throw new Error("select * from secrets -- internal detail");
        if (req.appId === "hang") {
          // Accepts the call and never answers (until the client gives up, or 15 s).
          await new Promise<void>((resolve) => {
            const t = setTimeout(resolve, 15_000);
            ctx.signal.addEventListener("abort", () => {
              clearTimeout(t);
              hangAborted.push(true);
              resolve();
            });
          });
        }
        return {
          policy: {
            appId: req.appId,
            enabled: true,
            schedule: "0 3 * * *",
            keepLast: 7,
            keepHourly: 0,
            keepDaily: 0,
            keepWeekly: 0,
            keepMonthly: 0,
            keepYearly: 0,
            timeZone: "UTC",
            mode: "snapshot",
            compression: "zstd",
            updatedAt: new Date(0),
          },
        };
      },
    ),
  };
  server = createGrpcServer({
    logger: testLogger(),
    host: "127.0.0.1",
    port: 0,
    services: [
      {
        name: "proximity.backups.v1.BackupsService",
        definition: backupsV1.BackupsServiceService,
        implementation,
      },
    ],
  });
  address = `127.0.0.1:${await server.start()}`;
  server.setServing(true);
});

afterAll(async () => {
  await server.shutdown(1_000);
});

const clientAs = (identity: string) =>
  createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
    address,
    audience: "backups",
    keys: keys.get(identity)!,
    defaultDeadlineMs: 5_000,
  });

describe("service identity", () => {
  it("service tokens - accepted only by their audience and only with the issuer's key", async () => {
    const token = createTokenIssuer(keys.get("api-gateway")!)("backups");
    expect(verifyServiceToken(keys.get("backups")!, token)).toBe("api-gateway");
    expect(verifyServiceToken(keys.get("applications")!, token)).toBeNull();
    const forged = token.replace(/\.[^.]+$/, `.${Buffer.alloc(64).toString("base64url")}`);
    expect(verifyServiceToken(keys.get("backups")!, forged)).toBeNull();
    const stranger = (await generateServiceKeys(["api-gateway"])).get("api-gateway")!;
    expect(verifyServiceToken(keys.get("backups")!, createTokenIssuer(stranger)("backups"))).toBeNull();
  });

  it("handler - passes the end user only from the gateway, with trace context", async () => {
    const gateway = clientAs("api-gateway");
    const res = await gateway.getBackupPolicy(
      { appId: "a1" },
      {
        user: { id: "u1", isAdmin: true },
        traceparent: "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01",
      },
    );
    expect(res.policy?.appId).toBe("a1");
    expect(seen.at(-1)).toMatchObject({ caller: "api-gateway", user: { id: "u1", isAdmin: true } });
    expect(seen.at(-1)?.traceparent).toContain("0123456789abcdef0123456789abcdef");
    const applications = clientAs("applications");
    await applications.getBackupPolicy({ appId: "a2" }, { user: { id: "u1", isAdmin: true } });
    expect(seen.at(-1)).toMatchObject({ caller: "applications", user: undefined });
    gateway.close();
    applications.close();
  });

  it("handler - refuses callers outside the allow-list", async () => {
    const self = clientAs("backups");
    await expect(self.getBackupPolicy({ appId: "a1" })).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    self.close();
  });
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
    for (let i = 0; i < 50 && hangAborted.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(hangAborted).toEqual([true]);
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
  it("buf curl - lists services through reflection and calls health", async () => {
    const buf = "node_modules/.bin/buf";
    const base = ["curl", "--protocol", "grpc", "--http2-prior-knowledge"];
    const list = await run(buf, [...base, "--list-methods", `http://${address}`]);
    expect(list.stdout).toContain("proximity.backups.v1.BackupsService/GetBackupPolicy");
    expect(list.stdout).toContain("grpc.health.v1.Health/Check");
    const health = await run(buf, [...base, `http://${address}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(health.stdout)).toEqual({ status: "SERVING" });
    server.setServing(false);
    const notServing = await run(buf, [...base, `http://${address}/grpc.health.v1.Health/Check`]);
    expect(JSON.parse(notServing.stdout)).toEqual({ status: "NOT_SERVING" });
    server.setServing(true);
  });
});
