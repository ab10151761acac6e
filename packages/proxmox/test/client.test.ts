import {
  AlreadyExistsError,
  DeadlineExceededError,
  InternalError,
  NotFoundError,
  PermissionDeniedError,
  UnavailableError,
  ValidationError,
} from "@proximity/errors";
import { afterEach, describe, expect, it } from "vitest";
import {
  createBreakerRegistry,
  createProxmoxClient,
  type ExtendedProxmoxClient,
  ProxmoxApiError,
  ProxmoxAuthError,
  type ProxmoxClientOptions,
  ProxmoxConflictError,
} from "../src/index.js";
import { ok, pveError, type Route, startFakePve } from "./support/fake-pve.js";
import { memoryLogger } from "./support/logger.js";

const UPID = "UPID:pve1:000934AF:0D015579:68BF3A41:vzstart:101:root@pam:";
const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(route: Route, opts: Partial<ProxmoxClientOptions> = {}, now?: () => number) {
  const pve = await startFakePve(route);
  const breakers = createBreakerRegistry();
  const log = memoryLogger();
  const client: ExtendedProxmoxClient = createProxmoxClient(
    {
      baseUrl: pve.url,
      auth: { kind: "token", tokenId: "proximity@pve!prov", secret: "uuid-secret" },
      ...opts,
    },
    { logger: log.logger, breakers, now },
  );
  cleanups.push(
    () => pve.close(),
    () => breakers.shutdown(),
    () => client.close(),
  );
  return { pve, client, log };
}

const ticketRoute =
  (state: { logins: string[]; reject401?: number }): Route =>
  (req) => {
    if (req.path === "/access/ticket") {
      state.logins.push(req.params.password ?? "");
      const n = state.logins.length;
      return ok({ ticket: `PVE:root@pam:T${n}::sig`, CSRFPreventionToken: `csrf${n}` });
    }
    if (state.reject401 && state.reject401-- > 0) return pveError(401, "authentication failure");
    return req.method === "GET" ? ok({ version: "9.1.1", release: "9.1", repoid: "x" }) : ok(UPID);
  };

describe("createProxmoxClient", () => {
  it("client - sends the API token header and decodes {data}", async () => {
    const { pve, client } = await setup(() => ok({ version: "9.1.1", release: "9.1", repoid: "abc" }));
    expect(await client.version()).toEqual({ version: "9.1.1", release: "9.1", repoid: "abc" });
    expect(pve.requests[0]?.headers.authorization).toBe("PVEAPIToken=proximity@pve!prov=uuid-secret");
    expect(pve.requests[0]?.headers.csrfpreventiontoken).toBeUndefined();
  });

  it("client - logs in with a password, sends the cookie, and CSRF only on writes", async () => {
    const state = { logins: [] as string[] };
    const { pve, client } = await setup(ticketRoute(state), {
      auth: { kind: "password", username: "root@pam", password: "pw" },
    });
    await client.version();
    await client.startContainer("pve1", 101);
    expect(state.logins).toEqual(["pw"]);
    const [login, get, post] = pve.requests;
    expect(login?.params).toEqual({ username: "root@pam", password: "pw" });
    expect(login?.headers["content-type"]).toBe("application/x-www-form-urlencoded");
    expect(get?.headers.cookie).toBe("PVEAuthCookie=PVE:root@pam:T1::sig");
    expect(get?.headers.csrfpreventiontoken).toBeUndefined();
    expect(post?.headers.csrfpreventiontoken).toBe("csrf1");
  });

  it("client - renews the ticket after 90 minutes by posting the ticket as password", async () => {
    const state = { logins: [] as string[] };
    let t = 0;
    const { pve, client } = await setup(
      ticketRoute(state),
      { auth: { kind: "password", username: "root@pam", password: "pw" } },
      () => t,
    );
    await client.version();
    t = 89 * 60_000;
    await client.version();
    expect(state.logins).toEqual(["pw"]);
    t = 91 * 60_000;
    await client.version();
    expect(state.logins).toEqual(["pw", "PVE:root@pam:T1::sig"]);
    expect(pve.requests.at(-1)?.headers.cookie).toBe("PVEAuthCookie=PVE:root@pam:T2::sig");
  });

  it("client - logs in again once after a 401, then gives up with ProxmoxAuthError", async () => {
    const state = { logins: [] as string[], reject401: 1 };
    const { client } = await setup(ticketRoute(state), {
      auth: { kind: "password", username: "root@pam", password: "pw" },
    });
    await client.version();
    expect(state.logins).toHaveLength(2);
    state.reject401 = 5;
    const err = await client.version().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProxmoxAuthError);
    expect(err).toBeInstanceOf(PermissionDeniedError);
    expect(state.logins).toHaveLength(3);
    expect(JSON.stringify(err)).not.toContain("pw");
  });

  it("client - a rejected password is tried once, not repeated", async () => {
    const { pve, client } = await setup(
      (req) => (req.path === "/access/ticket" ? pveError(401, "authentication failure") : ok([])),
      {
        auth: { kind: "password", username: "root@pam", password: "bad-pw" },
      },
    );
    await expect(client.listNodes()).rejects.toBeInstanceOf(ProxmoxAuthError);
    expect(pve.requests.map((r) => r.path)).toEqual(["/access/ticket"]);
  });

  it("client - a rejected token is not retried and never appears in the error", async () => {
    const { pve, client } = await setup(() => pveError(401, "authentication failure"));
    const err = (await client.listNodes().catch((e: unknown) => e)) as ProxmoxAuthError;
    expect(err).toBeInstanceOf(ProxmoxAuthError);
    expect(pve.requests).toHaveLength(1);
    expect(`${err.message} ${(err.cause as Error).message}`).not.toContain("uuid-secret");
  });

  it.each([
    [400, "Parameter verification failed.", ValidationError, undefined],
    [403, "Permission check failed (/vms/101, VM.Allocate)", PermissionDeniedError, undefined],
    [500, "CT 101 already exists on node 'pve1'", AlreadyExistsError, undefined],
    [500, "Configuration file 'nodes/pve1/lxc/101.conf' does not exist", NotFoundError, undefined],
    [500, "CT is locked (backup)", ProxmoxConflictError, "locked"],
    [
      500,
      "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout",
      ProxmoxConflictError,
      "locked",
    ],
    [500, "CT 101 already running", ProxmoxConflictError, "running"],
    [500, "CT 101 not running", ProxmoxConflictError, "not-running"],
    [500, "unable to destroy CT 101 - container is running", ProxmoxConflictError, "running"],
    [500, "something odd", InternalError, undefined],
    [501, "Method 'GET /x' not implemented", InternalError, undefined],
    [595, "No route to host", UnavailableError, undefined],
    [596, "tls error", UnavailableError, undefined],
  ])("client - maps %i %s to a typed error", async (status, message, type, reason) => {
    const { client } = await setup(() =>
      pveError(status, message, status === 400 ? { memory: "value must be >= 16" } : undefined),
    );
    const err = (await client.startContainer("pve1", 101).catch((e: unknown) => e)) as Error & {
      reason?: string;
    };
    expect(err).toBeInstanceOf(type);
    expect(err.message).not.toContain(message);
    expect(err.cause).toBeInstanceOf(ProxmoxApiError);
    expect((err.cause as ProxmoxApiError).pveMessage).toBe(message);
    expect((err.cause as ProxmoxApiError).status).toBe(status);
    if (reason) expect(err.reason).toBe(reason);
  });

  it("client - parameter errors become field errors without Proxmox texts", async () => {
    const { client } = await setup(() =>
      pveError(400, "Parameter verification failed.", { memory: "value must be >= 16" }),
    );
    const err = (await client.startContainer("pve1", 101).catch((e: unknown) => e)) as ValidationError;
    expect(err.fieldErrors).toEqual([{ field: "memory", message: "rejected by Proxmox" }]);
  });

  it("client - nextId returns null when Proxmox says the id is taken", async () => {
    const { client } = await setup((req) =>
      req.params.vmid === "101"
        ? pveError(400, "Parameter verification failed.", { vmid: "VM 101 already exists" })
        : ok("105"),
    );
    expect(await client.nextId(101)).toBeNull();
    expect(await client.nextId(105)).toBe(105);
    expect(await client.nextId()).toBe(105);
  });

  it("client - a slow answer fails with DeadlineExceededError", async () => {
    const { client } = await setup(() => ({ ...ok([]), delayMs: 1_000 }), { requestTimeoutMs: 100 });
    const started = Date.now();
    await expect(client.listNodes()).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(Date.now() - started).toBeLessThan(900);
  });

  it("client - a refused connection fails with UnavailableError", async () => {
    const { client, pve } = await setup(() => ok([]));
    await pve.close();
    await expect(client.listNodes()).rejects.toBeInstanceOf(UnavailableError);
  });

  it("client - decodes leniently and encodes parameters and path segments", async () => {
    const { pve, client } = await setup((req) =>
      req.path.endsWith("/lxc")
        ? ok([{ vmid: "101", status: "running", maxmem: "536870912", template: "0", lock: "" }])
        : ok(UPID),
    );
    expect(await client.listContainers("pve1")).toEqual([
      { vmid: 101, status: "running", maxmem: 536870912, template: false },
    ]);
    await client.deleteStorageContent("pve1", "local", "local:backup/a b.tar.zst");
    await client.deleteContainer("pve1", 101, { force: true, purge: false });
    expect(pve.requests[1]?.path).toBe("/nodes/pve1/storage/local/content/local%3Abackup%2Fa%20b.tar.zst");
    expect(pve.requests[2]?.params).toEqual({ force: "1", purge: "0" });
  });

  it("client - rejects bad ids before sending anything", async () => {
    const { pve, client } = await setup(() => ok(UPID));
    await expect(client.startContainer("pve1", 99)).rejects.toBeInstanceOf(ValidationError);
    await expect(client.startContainer("pve1/../x", 101)).rejects.toBeInstanceOf(ValidationError);
    expect(pve.requests).toHaveLength(0);
  });

  it("client - warns once about plain http", async () => {
    const { log } = await setup(() => ok([]));
    expect(log.lines().filter((l) => l.level === "warn")).toHaveLength(1);
  });
});
