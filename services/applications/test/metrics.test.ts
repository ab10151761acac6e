import { Events } from "@proximity/bus";
import { applicationsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually, freeTcpPort } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { as, type Harness, newUser, startHarness } from "./support/harness.js";

/** One sample line of `name` whose labels include every `labels` pair; its value. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split("\n")) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`)))
      return Number(line.split(" ").pop());
  }
  return undefined;
}

describe("applications metrics", () => {
  let t: Harness;
  let port: number;
  const owner = newUser();
  const scrape = async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text();

  beforeAll(async () => {
    port = await freeTcpPort();
    t = await startHarness({ METRICS_PORT: String(port) });
  });

  afterAll(async () => {
    await t?.close();
  });

  it("GET /metrics - RPCs, consumed events, outbox and apps by status after a deploy that succeeds", async () => {
    const { app } = await t.gateway.deployApp(
      {
        catalogId: "uptime-kuma",
        hostname: "kuma-metrics",
        hostId: "",
        node: "",
        environment: {},
        idempotencyKey: "",
      },
      as(owner),
    );
    const request = await eventually(() => t.findDeployRequest(app!.id), { what: "deploy request" });
    await t.publish(
      Events.OperationSucceeded,
      provisionerEventsV1.OperationSucceeded.fromPartial({
        appId: app!.id,
        operationId: request.payload.operationId,
        kind: provisionerEventsV1.OperationKind.OPERATION_KIND_DEPLOY,
        hostId: "host-a",
        node: "pve2",
        vmid: 104,
        ipAddress: "10.0.0.7",
      }),
    );
    await eventually(async () => {
      const { app: now } = await t.gateway.getApp({ id: app!.id }, as(owner));
      return now?.status === applicationsV1.AppStatus.APP_STATUS_RUNNING;
    });
    // A refused call is counted under its status code.
    await expect(
      t.gateway.getApp({ id: "00000000-0000-4000-8000-000000000000" }, as(owner)),
    ).rejects.toThrow();

    const text = await eventually(async () => {
      const body = await scrape();
      return (
        (sample(body, "proximity_bus_acks_total", { consumer: "applications-provisioner-events" }) ?? 0) >=
          1 && body
      );
    });
    const rpc = { service: "proximity.applications.v1.ApplicationsService" };
    expect(
      sample(text, "proximity_grpc_server_handled_total", { ...rpc, method: "DeployApp", code: "OK" }),
    ).toBe(1);
    expect(
      sample(text, "proximity_grpc_server_handled_total", { ...rpc, method: "GetApp", code: "NOT_FOUND" }),
    ).toBe(1);
    expect(
      sample(text, "proximity_grpc_server_handling_seconds_count", { ...rpc, method: "DeployApp" }),
    ).toBe(1);
    expect(
      sample(text, "proximity_bus_deliveries_total", {
        stream: "PROVISIONER",
        consumer: "applications-provisioner-events",
      }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, "proximity_outbox_published_total", { service: "applications" }),
    ).toBeGreaterThanOrEqual(1);
    expect(
      sample(text, "proximity_outbox_relay_lag_seconds_count", { service: "applications" }),
    ).toBeGreaterThanOrEqual(1);
    expect(sample(text, "proximity_outbox_backlog", { service: "applications" })).toBe(0);
    expect(
      sample(text, "proximity_bus_consumer_pending", { consumer: "applications-provisioner-events" }),
    ).toBe(0);
    expect(sample(text, "proximity_deploys_requested_total")).toBe(1);
    expect(sample(text, "proximity_apps", { status: "running" })).toBe(1);
    expect(sample(text, "process_resident_memory_bytes")).toBeGreaterThan(0);
    // Bounded labels: no app, operation or user id, no hostname of an app.
    for (const value of [app!.id, request.payload.operationId, owner.id, "kuma-metrics"])
      expect(text).not.toContain(value);
  });

  it("stop - the metrics server goes with the service", async () => {
    const replicaPort = await freeTcpPort();
    const replica = await t.startReplica({ METRICS_PORT: String(replicaPort) });
    expect((await fetch(`http://127.0.0.1:${replicaPort}/metrics`)).status).toBe(200);
    await replica.stop();
    await expect(fetch(`http://127.0.0.1:${replicaPort}/metrics`)).rejects.toThrow();
  });
});
