/**
 * ListHostContainers (discovery) and container observations: Proximity's containers carry their
 * app id; every node is observed once per interval even with two provisioner replicas, published
 * straight to JetStream (never through the outbox); a host that is down publishes nothing.
 */
import { Events } from "@proximity/bus";
import { PermissionDeniedError, UnavailableError } from "@proximity/errors";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, NODE, startHarness } from "./support/harness.js";
import { deployApp } from "./support/lifecycle.js";

const INTERVAL_MS = 1_000;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({
    OBSERVE_INTERVAL_MS: String(INTERVAL_MS),
    OBSERVE_TIMEOUT_MS: "1000",
    PROVISIONER_BREAKER_RESET_MS: "500",
  });
});

afterAll(async () => {
  await h?.close();
});

describe("ListHostContainers", () => {
  it("ListHostContainers - lists every container, with the app id of Proximity's", async () => {
    const app = await deployApp(h);
    const foreign = (await h.pve.nextId())!;
    await h.pve.waitForTask(
      await h.pve.createContainer(NODE, {
        vmid: foreign,
        ostemplate: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
        hostname: "hand-made",
        description: "proximity app=forged but untagged",
      }),
    );
    const { items } = await h.clientAs("applications").listHostContainers({ hostId: HOST_ID });
    expect(items.find((c) => c.vmid === app.vmid)).toMatchObject({
      node: NODE,
      name: app.request.hostname,
      status: "running",
      tags: "proximity",
      proximityAppId: app.request.appId,
    });
    expect(items.find((c) => c.vmid === foreign)).toMatchObject({
      name: "hand-made",
      status: "stopped",
      proximityAppId: "",
    });
  });

  it("ListHostContainers - only the applications service may call it", async () => {
    await expect(h.clientAs("api-gateway").listHostContainers({ hostId: HOST_ID })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
  });
});

describe("container observations", () => {
  it("observations - each node once per interval, even with two provisioner replicas", {
    timeout: 30_000,
  }, async () => {
    await h.startReplica();
    const since = Date.now();
    await new Promise((r) => setTimeout(r, INTERVAL_MS * 4.5));
    const until = Date.now();
    const observed = (await h.eventsOf(Events.ContainersObserved)).filter(
      (o) =>
        o.hostId === HOST_ID &&
        o.node === NODE &&
        o.observedAt!.getTime() >= since &&
        o.observedAt!.getTime() < until,
    );
    // About four intervals passed: at least three observed, never two in one interval.
    expect(observed.length).toBeGreaterThanOrEqual(3);
    const slots = observed.map((o) => Math.floor(o.observedAt!.getTime() / INTERVAL_MS));
    expect(new Set(slots).size).toBe(slots.length);
    const last = observed.at(-1)!;
    expect(last.containers.length).toBeGreaterThan(0);
    expect(last.containers[0]).toMatchObject({ status: expect.any(String) });
    expect(last.containers.some((c) => c.maxMemBytes > 0)).toBe(true);
    // Snapshot events go straight to JetStream: the outbox never holds an observation.
    const rows = await h.db
      .selectFrom("outbox")
      .select("id")
      .where("type", "=", Events.ContainersObserved.type)
      .execute();
    expect(rows).toEqual([]);
  });

  it("observations - a host that is down publishes nothing; ListHostContainers says UNAVAILABLE", {
    timeout: 30_000,
  }, async () => {
    h.sim.setHostDown(true);
    try {
      await new Promise((r) => setTimeout(r, INTERVAL_MS * 1.5)); // let an observation in flight end
      const since = Date.now();
      await new Promise((r) => setTimeout(r, INTERVAL_MS * 3));
      const observed = (await h.eventsOf(Events.ContainersObserved)).filter(
        (o) => o.observedAt!.getTime() >= since,
      );
      expect(observed).toEqual([]);
      const err = await h
        .clientAs("applications")
        .listHostContainers({ hostId: HOST_ID })
        .catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UnavailableError);
      // The client keeps a generic text for UNAVAILABLE; the status details carry ours.
      expect((err as { cause?: { details?: string } }).cause?.details).toBe(
        "Proxmox host sim did not answer",
      );
    } finally {
      h.sim.setHostDown(false);
    }
    await eventually(
      async () =>
        (await h.eventsOf(Events.ContainersObserved)).some(
          (o) => o.observedAt!.getTime() > Date.now() - INTERVAL_MS,
        ),
      {
        timeoutMs: 10_000,
        what: "observations again once the host is back",
      },
    );
  });
});
