import { eventually } from "@proximity/testing";
import { KvWatchInclude } from "nats";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ PROVISIONER_MAX_DELIVER: "3" });
});

afterEach(() => h.sim.clearFaults());

afterAll(async () => {
  await h?.close();
});

/** What must hold after any failed deploy: nothing left behind, the failure explained and kept. */
async function expectCleanFailure(operationId: string, appId: string, leases: LeaseRecorder) {
  const outcome = await h.outcome(operationId);
  expect(outcome.type).toBe("failed");
  expect(h.sim.containers().filter((c) => c.description.includes(operationId))).toEqual([]);
  const op = await h.db
    .selectFrom("operations")
    .selectAll()
    .where("id", "=", operationId)
    .executeTakeFirstOrThrow();
  expect(op.status).toBe("failed");
  expect(op.last_error).toBe(outcome.payload.reason);
  expect(
    await h.db.selectFrom("containers").selectAll().where("operation_id", "=", operationId).execute(),
  ).toEqual([]);
  expect(h.peers.secrets.has(`apps/${appId}/root-password`)).toBe(false);
  // The operation leased a VMID, and every lease it took was released again (none left to the TTL).
  const keys = await leases.keysLeasedBy(operationId);
  expect(keys.length).toBeGreaterThan(0);
  const writes = await leases.stop();
  for (const key of keys) expect(writes.filter((w) => w.key === key).at(-1)?.operation).toBe("DEL");
  return outcome;
}

/**
 * Records every write to the VMID lease bucket from now on (the bucket keeps only the last value
 * per key, so what happened during a deploy cannot be read afterwards).
 */
async function recordLeaseWrites() {
  const kv = await h.bus.js.views.kv(`${h.bus.ns}_vmid_leases`, { bindOnly: true });
  const writes: { key: string; operation: string; value: string }[] = [];
  const watch = await kv.watch({ key: ">", include: KvWatchInclude.UpdatesOnly });
  const done = (async () => {
    // value: the holding operation (the first word; the holding's nonce follows it).
    for await (const e of watch)
      writes.push({ key: e.key, operation: e.operation, value: e.string().split(" ")[0]! });
  })();
  const keysOf = (operationId: string) => [
    ...new Set(writes.filter((w) => w.operation === "PUT" && w.value === operationId).map((w) => w.key)),
  ];
  return {
    /** Keys the operation put; waits (briefly) until each has been deleted again. */
    keysLeasedBy: async (operationId: string) => {
      await eventually(
        async () =>
          keysOf(operationId).every((k) => writes.filter((w) => w.key === k).at(-1)?.operation === "DEL"),
        { timeoutMs: 5_000, what: "leases released" },
      ).catch(() => undefined); // the assertions say what is missing
      return keysOf(operationId);
    },
    stop: async () => {
      watch.stop();
      await done;
      return writes;
    },
  };
}
type LeaseRecorder = Awaited<ReturnType<typeof recordLeaseWrites>>;

describe("bounded failure", () => {
  it("failure - docker compose failing every time: 3 attempts, then cleanup, a safe reason and a dead letter", async () => {
    h.sim.addFault({
      match: { sshCommand: "docker compose .* up -d" },
      effect: {
        kind: "ssh-failure",
        code: 1,
        stderr: "Error response from daemon: pull access denied for nginx",
      },
    });
    const leases = await recordLeaseWrites();
    const request = h.deployRequest();
    const eventId = await h.publish(request);
    const outcome = await expectCleanFailure(request.operationId, request.appId, leases);

    expect(outcome.payload).toMatchObject({
      attempts: 3,
      reason:
        "Docker compose failed inside the container: Error response from daemon: pull access denied for nginx",
    });
    const composeUps = h.sim
      .commandLog(NODE)
      .filter((c) => c.command.includes(request.appId) && c.command.endsWith("up -d"));
    expect(composeUps).toHaveLength(3);
    // Retries continued from the journal: one container was created, not three.
    const lines = await h.progressLines(request.operationId);
    const creates = lines.filter((line) => line.message.startsWith("Creating container"));
    expect(creates).toHaveLength(1);
    // Each failed attempt was reported as it happened, with the same safe reason.
    const attemptsReported = lines.filter((line) => line.step === "attempt-failed");
    expect(attemptsReported.map((line) => line.message)).toEqual(
      [1, 2, 3].map(
        (n) =>
          `Attempt ${n} failed: Docker compose failed inside the container: Error response from daemon: pull access denied for nginx`,
      ),
    );

    const { items } = await h.sre.listDeadLetters({ limit: 10 });
    expect(items.find((d) => d.eventId === eventId)).toMatchObject({
      stream: `${h.bus.ns.toUpperCase()}_APPLICATIONS`,
      eventType: "proximity.events.v1.AppDeployRequested",
      deliveries: 3,
    });
  });

  it("failure - the root password never stored: no container is created, every attempt fails at the create step", async () => {
    const request = h.deployRequest();
    const leases = await recordLeaseWrites();
    h.peers.failPuts(3);
    try {
      await h.publish(request);
      const outcome = await expectCleanFailure(request.operationId, request.appId, leases);
      expect(outcome.payload).toMatchObject({
        attempts: 3,
        reason:
          "A Proximity service was unavailable while storing the container's root password (3 attempts)",
      });
    } finally {
      h.peers.failPuts(0);
    }
    const calls = h.peers.secretCalls.filter((c) => c.operationId === request.operationId);
    expect(calls.filter((c) => c.method === "put")).toHaveLength(3);
    const steps = await h.db
      .selectFrom("operation_steps")
      .select(["name", "status"])
      .where("operation_id", "=", request.operationId)
      .execute();
    expect(steps).toContainEqual({ name: "create-container", status: "failed" });
  });

  it("failure - a Proxmox create task failing every time: 3 attempts, no container, VMID free again", async () => {
    h.sim.addFault({
      match: { taskType: "vzcreate" },
      effect: { kind: "task-failure", message: "storage 'local-lvm' is full" },
    });
    const leases = await recordLeaseWrites();
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await expectCleanFailure(request.operationId, request.appId, leases);
    expect(outcome.payload).toMatchObject({
      attempts: 3,
      reason: "Proxmox reported an error while creating the container (3 attempts)",
    });
    expect(String(outcome.payload.reason)).not.toContain("local-lvm");
  });

  it("failure - an SSH host key mismatch is permanent: one attempt, the created container is destroyed", async () => {
    // The node presents a key other than the registered one (pooled connections were verified
    // against the old fingerprint, so the registration changes instead of the node's key).
    const registered = h.peers.hosts.get(HOST_ID)!;
    const node = registered.host.nodes[0]!;
    const wrong = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
    await h.changeHost(HOST_ID, {
      ...registered,
      host: { ...registered.host, nodes: [{ ...node, sshHostKeyFingerprint: wrong }] },
    });
    try {
      const leases = await recordLeaseWrites();
      const request = h.deployRequest();
      await h.publish(request);
      const outcome = await expectCleanFailure(request.operationId, request.appId, leases);
      expect(outcome.payload.attempts).toBe(1);
      expect(outcome.payload.reason).toBe(
        "The SSH host key of the Proxmox node does not match the registered fingerprint; Proximity refused to connect while installing Docker",
      );
      const progress = await h.progressLines(request.operationId);
      expect(progress.some((line) => line.message.startsWith("Creating container"))).toBe(true);
    } finally {
      await h.changeHost(HOST_ID, registered);
    }
  });

  it("failure - an unknown host fails at once with an explanation", async () => {
    const request = h.deployRequest({ hostId: "no-such-host" });
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.payload).toMatchObject({
      attempts: 1,
      reason: "The host, its node or its credentials are not registered in Proximity",
    });
    // Nothing was stored for a container that was never going to exist.
    expect(h.peers.secretCalls.filter((c) => c.operationId === request.operationId)).toEqual([]);
  });

  it("failure - a retry after the container was created keeps its root password (no new one stored)", async () => {
    h.sim.addFault({
      match: { sshCommand: "docker compose .* up -d" },
      effect: { kind: "ssh-failure", code: 1, stderr: "transient" },
      times: 1,
    });
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    const calls = h.peers.secretCalls.filter(
      (c) => c.operationId === request.operationId && c.name === `apps/${request.appId}/root-password`,
    );
    expect(calls.map((c) => c.method)).toEqual(["put"]); // attempt 1's: the container has it
  });

  it("failure - a retry whose first attempt created the container reads its state before starting it", async () => {
    // The first attempt's start is refused (the container exists, stopped): the retry cannot know
    // the container is still there, so it asks, where a first attempt, which just created it, need not.
    h.sim.addFault({
      match: { method: "POST", path: "/lxc/[0-9]+/status/start$" },
      effect: { kind: "http-error", status: 503, message: "service unavailable" },
      times: 1,
    });
    const STATE = "GET /nodes/{node}/lxc/{vmid}/status/current";
    const before = h.sim.counts().api[STATE] ?? 0;
    const request = h.deployRequest();
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    expect(await h.attemptsOf(request.operationId)).toBe(2);
    expect((h.sim.counts().api[STATE] ?? 0) - before).toBe(1);
  });

  it("failure - invalid environment names fail before any effect on the host", async () => {
    const before = h.sim.containers().length;
    const request = h.deployRequest({ environment: { "NOT-VALID": "x" } });
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.payload.attempts).toBe(1);
    expect(String(outcome.payload.reason)).toMatch(
      /^The deployment settings were rejected: An environment variable name/,
    );
    expect(h.sim.containers()).toHaveLength(before);
  });

  it("failure - a deploy whose deadline passed while it waited (its node busy) creates nothing and says why", async () => {
    const before = h.sim.containers().length;
    const request = h.deployRequest({ notAfter: new Date(Date.now() - 1_000) });
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.attempts).toBe(1);
    expect(String(outcome.payload.reason)).toMatch(/not started before its deadline/);
    expect(h.sim.containers()).toHaveLength(before);
    expect(h.sim.containers().filter((c) => c.description.includes(request.operationId))).toEqual([]);
  });
});
