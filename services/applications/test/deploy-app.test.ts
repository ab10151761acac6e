import { newTraceparent } from "@proximity/bus";
import {
  AlreadyExistsError,
  ConflictError,
  PermissionDeniedError,
  UnauthenticatedError,
  ValidationError,
} from "@proximity/errors";
import { applicationsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UNKNOWN_HOST_ID } from "./support/fake-hosts.js";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

const request = (
  overrides: Partial<applicationsV1.DeployAppRequest> = {},
): applicationsV1.DeployAppRequest => ({
  catalogId: "whoami",
  hostname: "whoami-1",
  hostId: "",
  node: "",
  environment: {},
  idempotencyKey: "",
  ...overrides,
});

describe("DeployApp", () => {
  let t: Harness;
  const alice = newUser();
  const bob = newUser();
  const admin = newUser(true);

  beforeAll(async () => {
    t = await startHarness();
  });

  afterAll(async () => {
    await t?.close();
  });

  const storedCounts = async () => ({
    apps: Number(
      (
        await t.db
          .selectFrom("apps")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    ),
    outbox: Number(
      (
        await t.db
          .selectFrom("outbox")
          .select((eb) => eb.fn.countAll().as("n"))
          .executeTakeFirstOrThrow()
      ).n,
    ),
  });

  it("DeployApp - stores the app as deploying and publishes AppDeployRequested through the outbox", async () => {
    const traceparent = newTraceparent();
    const { app } = await t.gateway.deployApp(
      request({
        catalogId: "gitea",
        hostname: "git.example",
        environment: { GITEA_ROOT_URL: "https://git.example" },
      }),
      as(alice, { traceparent }),
    );
    expect(app).toMatchObject({
      ownerId: alice.id,
      catalogId: "gitea",
      hostname: "git.example",
      status: applicationsV1.AppStatus.APP_STATUS_DEPLOYING,
      hostId: "host-a",
      node: "pve1",
      vmid: 0,
      environment: { GITEA_ROOT_URL: "https://git.example" },
    });
    // The published port comes from the pool; the catalog's port is the one inside the container.
    expect(app!.port).toBeGreaterThanOrEqual(30000);
    expect(app!.port).toBeLessThanOrEqual(32767);
    expect(app?.createdAt).toBeInstanceOf(Date);

    // The hosts service was asked, as "applications", within the caller's trace.
    const placement = t.hosts.placementCalls.at(-1);
    expect(placement).toMatchObject({ caller: "applications", request: { hostId: "", node: "" } });
    expect(placement?.traceparent).toBe(traceparent);

    const { item: gitea } = await t.gateway.getCatalogItem({ id: "gitea" });
    const onBus = await eventually(() => t.findDeployRequest(app!.id), {
      what: "AppDeployRequested on JetStream",
    });
    const stored = await t.db
      .selectFrom("apps")
      .selectAll()
      .where("id", "=", app!.id)
      .executeTakeFirstOrThrow();
    expect(onBus.payload).toMatchObject({
      operationId: stored.current_operation_id,
      appId: app!.id,
      ownerId: alice.id,
      hostId: "host-a",
      node: "pve1",
      hostname: "git.example",
      catalogId: "gitea",
      environment: { GITEA_ROOT_URL: "https://git.example" },
      resources: { cores: gitea!.cores, memoryMb: gitea!.memoryMb, diskGb: gitea!.diskGb },
      port: 3000,
      publicPort: app!.port,
    });
    expect(onBus.payload.compose).toContain("image: gitea/gitea");
    // Its deadline is the operation's, as the database set it.
    const operation = await t.db
      .selectFrom("app_operations")
      .select("deadline_at")
      .where("id", "=", stored.current_operation_id!)
      .executeTakeFirstOrThrow();
    expect(onBus.payload.notAfter).toEqual(operation.deadline_at);
    expect(onBus.envelope).toMatchObject({
      type: "proximity.events.v1.AppDeployRequested",
      source: "applications",
      subject: app!.id,
      traceparent,
    });

    const { items: logs } = await t.gateway.listAppLogs(
      { appId: app!.id, limit: 0, afterId: 0, beforeId: 0 },
      as(alice),
    );
    expect(logs.map((l) => [l.step, l.message])).toEqual([
      ["requested", "Deployment of Gitea 1.22.6 requested on pve1"],
    ]);
  });

  it("DeployApp - passes an admin's explicit placement to the hosts service; a user may not choose", async () => {
    const before = await storedCounts();
    await expect(
      t.gateway.deployApp(request({ hostname: "placed", hostId: "host-b", node: "pve7" }), as(alice)),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    // A node alone is a placement too.
    await expect(
      t.gateway.deployApp(request({ hostname: "placed", node: "pve7" }), as(alice)),
    ).rejects.toThrow("Only admins may choose the host or node");
    expect(await storedCounts()).toEqual(before);
    const { app } = await t.gateway.deployApp(
      request({ hostname: "placed", hostId: "host-b", node: "pve7" }),
      as(admin),
    );
    expect(app).toMatchObject({ hostId: "host-b", node: "pve7" });
  });

  it("DeployApp - refuses invalid input with field errors and stores nothing", async () => {
    const before = await storedCounts();
    const placementCalls = t.hosts.placementCalls.length;
    const err = await t.gateway
      .deployApp(
        request({
          catalogId: "no-such-app",
          hostname: "Bad_Host-",
          environment: { "bad-key": "x", GOOD: "y" },
        }),
        as(alice),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors.map((f) => f.field).sort()).toEqual([
      "catalog_id",
      "environment.bad-key",
      "hostname",
    ]);
    await expect(t.gateway.deployApp(request({ hostname: "-x" }), as(alice))).rejects.toBeInstanceOf(
      ValidationError,
    );
    expect(await storedCounts()).toEqual(before);
    expect(t.hosts.placementCalls.length).toBe(placementCalls);
  });

  it("DeployApp - variables the platform or compose own (COMPOSE_*, DOCKER_*, PROXIMITY_*) are refused by name, nothing stored", async () => {
    const before = await storedCounts();
    const err = await t.gateway
      .deployApp(
        request({
          hostname: "reserved",
          environment: {
            COMPOSE_PROJECT_NAME: "x",
            docker_host: "tcp://evil:2375",
            PROXIMITY_PORT: "1",
            GOOD: "y",
          },
        }),
        as(admin),
      )
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toEqual(
      expect.arrayContaining([
        { field: "environment.COMPOSE_PROJECT_NAME", message: "is reserved" },
        { field: "environment.docker_host", message: "is reserved" },
        { field: "environment.PROXIMITY_PORT", message: "is reserved" },
      ]),
    );
    expect((err as ValidationError).fieldErrors.map((f) => f.field)).not.toContain("environment.GOOD");
    expect(await storedCounts()).toEqual(before);
  });

  it("DeployApp - an unknown host is a validation error on host_id", async () => {
    const before = await storedCounts();
    const err = await t.gateway
      .deployApp(request({ hostname: "nowhere", hostId: UNKNOWN_HOST_ID }), as(admin))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).fieldErrors).toEqual([{ field: "host_id", message: "Host not found" }]);
    expect(await storedCounts()).toEqual(before);
  });

  it("DeployApp - a hostname in use is AlreadyExists (409), whoever owns it", async () => {
    await t.gateway.deployApp(request({ hostname: "taken" }), as(alice));
    const before = await storedCounts();
    await expect(t.gateway.deployApp(request({ hostname: "taken" }), as(alice))).rejects.toBeInstanceOf(
      AlreadyExistsError,
    );
    await expect(
      t.gateway.deployApp(request({ catalogId: "adminer", hostname: "taken" }), as(bob)),
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    expect(await storedCounts()).toEqual(before);
  });

  it("DeployApp - of concurrent requests for one hostname exactly one wins", async () => {
    const results = await Promise.allSettled(
      Array.from({ length: 5 }, () => t.gateway.deployApp(request({ hostname: "race" }), as(newUser()))),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const losers = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(losers.every((r) => r.reason instanceof AlreadyExistsError)).toBe(true);
  });

  it("DeployApp - a retry with the same idempotency key returns the first app", async () => {
    const req = request({ hostname: "idem", idempotencyKey: "key-1" });
    const first = await t.gateway.deployApp(req, as(alice));
    const retries = await Promise.all([
      t.gateway.deployApp(req, as(alice)),
      t.gateway.deployApp(req, as(alice)),
    ]);
    for (const retry of retries) expect(retry.app?.id).toBe(first.app?.id);
    const rows = await t.db.selectFrom("apps").select("id").where("hostname", "=", "idem").execute();
    expect(rows).toHaveLength(1);
    const events = await t.db.selectFrom("outbox").select("headers").execute();
    expect(events.filter((e) => e.headers["ce-subject"] === first.app!.id)).toHaveLength(1);
  });

  it("DeployApp - an idempotency key reused for another deployment is a conflict; other users have their own keys", async () => {
    await t.gateway.deployApp(request({ hostname: "idem-a", idempotencyKey: "shared" }), as(alice));
    await expect(
      t.gateway.deployApp(request({ hostname: "idem-b", idempotencyKey: "shared" }), as(alice)),
    ).rejects.toBeInstanceOf(ConflictError);
    const { app } = await t.gateway.deployApp(
      request({ hostname: "idem-b", idempotencyKey: "shared" }),
      as(bob),
    );
    expect(app?.ownerId).toBe(bob.id);
  });

  it("DeployApp - requires an end user and the gateway identity", async () => {
    await expect(t.gateway.deployApp(request({ hostname: "anon" }))).rejects.toBeInstanceOf(
      UnauthenticatedError,
    );
    await expect(
      t.clientAs("provisioner").deployApp(request({ hostname: "sneaky" }), as(alice)),
    ).rejects.toBeInstanceOf(PermissionDeniedError);
    const stored = await t.db
      .selectFrom("apps")
      .select("id")
      .where("hostname", "in", ["anon", "sneaky"])
      .execute();
    expect(stored).toEqual([]);
  });
});

describe("DeployApp - placements shared within PLACEMENT_MAX_AGE_MS", () => {
  let t: Harness;
  const alice = newUser();
  const admin = newUser(true);

  beforeAll(async () => {
    // Long enough that no deploy of this test outlives the answer, whatever the machine's pace.
    t = await startHarness({ PLACEMENT_MAX_AGE_MS: "10000" });
  });

  afterAll(async () => {
    await t?.close();
  });

  it("deploys at once and one after another ask the hosts service once per request; a refusal is not kept", async () => {
    const placedApps = await Promise.all(
      ["shared-1", "shared-2", "shared-3"].map((hostname) =>
        t.gateway.deployApp(request({ hostname }), as(alice)),
      ),
    );
    const { app: later } = await t.gateway.deployApp(request({ hostname: "shared-4" }), as(alice));
    for (const { app } of [...placedApps, { app: later }])
      expect(app).toMatchObject({ hostId: "host-a", node: "pve1" });
    expect(t.hosts.placementCalls.map((c) => c.request)).toEqual([{ hostId: "", node: "" }]);

    // An admin's explicit placement is another question, asked once too.
    for (const hostname of ["placed-1", "placed-2"]) {
      const { app } = await t.gateway.deployApp(
        request({ hostname, hostId: "host-b", node: "pve7" }),
        as(admin),
      );
      expect(app).toMatchObject({ hostId: "host-b", node: "pve7" });
    }
    expect(t.hosts.placementCalls).toHaveLength(2);

    // A host retired after its answer was shared: the deploy asks again and goes elsewhere. (An
    // admin's node without a host is placed automatically across hosts, and asked apart.)
    t.hosts.placeAutomaticallyOn("host-r");
    const onNode = { node: "pve9" };
    await expect(
      t.gateway.deployApp(request({ hostname: "shared-1", ...onNode }), as(admin)), // taken: not placed
    ).rejects.toBeInstanceOf(AlreadyExistsError);
    await t.clientAs("hosts").retireHost({ hostId: "host-r" });
    t.hosts.placeAutomaticallyOn("host-s");
    const calls = t.hosts.placementCalls.length;
    const { app: moved } = await t.gateway.deployApp(
      request({ hostname: "after-retire", ...onNode }),
      as(admin),
    );
    expect(moved).toMatchObject({ hostId: "host-s", node: "pve9" });
    expect(t.hosts.placementCalls.length).toBe(calls + 1);
    t.hosts.placeAutomaticallyOn("host-a");

    // The hosts service's refusal reaches each deploy: none is kept.
    for (const hostname of ["unknown-1", "unknown-2"])
      await expect(
        t.gateway.deployApp(request({ hostname, hostId: UNKNOWN_HOST_ID }), as(admin)),
      ).rejects.toBeInstanceOf(ValidationError);
    expect(t.hosts.placementCalls).toHaveLength(6);
  });
});
