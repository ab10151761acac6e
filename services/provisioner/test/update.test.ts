/**
 * UPDATE on the simulator: success (new image running, snapshot gone), and failures after the
 * snapshot (pull fails, service unhealthy) rolled back: data written before the update still
 * there, the app running as before, the snapshot gone, OperationFailed with container_status.
 */
import { provisionerEventsV1 } from "@proximity/proto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, NODE, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, type DeployedApp, deployApp } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ UPDATE_HEALTH_TIMEOUT_MS: "1500", UPDATE_HEALTH_INTERVAL_MS: "100" });
});

afterAll(async () => {
  await h?.close();
});

const composeOf = (image: string) =>
  `services:\n  web:\n    image: ${image}\n    ports:\n      - "\${PROXIMITY_PORT:-8080}:80"\n`;

function updateRequest(app: DeployedApp, image: string) {
  return actionRequest(app, Action.APP_ACTION_UPDATE, {
    compose: composeOf(image),
    environment: { GREETING: "updated" },
    publicPort: 30123,
  });
}

const composeFile = (app: DeployedApp) =>
  h.sim.guestFile(app.vmid, `/opt/proximity/${app.request.appId}/docker-compose.yml`)?.content ?? "";

async function snapshots(app: DeployedApp): Promise<string[]> {
  return (await h.pve.listSnapshots(NODE, app.vmid)).map((s) => s.name).filter((n) => n !== "current");
}

async function psImages(app: DeployedApp): Promise<string> {
  const ps = await h.runInGuest(
    app.vmid,
    `docker compose -f /opt/proximity/${app.request.appId}/docker-compose.yml ps --format json`,
  );
  return ps.stdout;
}

describe("update", () => {
  it("update - recreates the app with the new image, removes the snapshot and reports success", async () => {
    const app = await deployApp(h, { compose: composeOf("nginx:1.27") });
    const request = updateRequest(app, "nginx:1.28");
    const outcome = await act(h, request);
    expect(outcome.type, String(outcome.payload.reason)).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_UPDATE,
      containerStatus: "running",
      message: "updated; snapshot removed",
      vmid: app.vmid,
    });
    expect(composeFile(app)).toContain("image: nginx:1.28");
    expect(await psImages(app)).toContain("nginx:1.28");
    const env = h.sim.guestFile(app.vmid, `/opt/proximity/${app.request.appId}/.env`);
    expect(env?.content).toMatch(/^PROXIMITY_PORT="30123"$/m);
    expect(await snapshots(app)).toEqual([]);
    const commands = h.sim.commandLog(NODE).map((c) => c.command);
    expect(commands).toContain(
      `docker compose -f '/opt/proximity/${app.request.appId}/docker-compose.yml' pull`,
    );
    expect(commands).toContain(
      `docker compose -f '/opt/proximity/${app.request.appId}/docker-compose.yml' up -d --remove-orphans`,
    );
    const steps = await h.db
      .selectFrom("operation_steps")
      .selectAll()
      .where("operation_id", "=", request.operationId)
      .execute();
    expect(steps.find((s) => s.name === "take-snapshot")?.upid).toMatch(/:vzsnapshot:/);
  });

  for (const failure of [
    {
      what: "the new image cannot be pulled",
      effect: { kind: "image-pull-failure" } as const,
      reason: /pulling the new images/,
    },
    {
      what: "a service is unhealthy",
      effect: { kind: "service-unhealthy" } as const,
      reason: /checking the updated app's health/,
    },
  ]) {
    it(`update - when ${failure.what}, it is rolled back and the app runs as before`, {
      timeout: 60_000,
    }, async () => {
      const app = await deployApp(h, { compose: composeOf("nginx:1.27") });
      await h.runInGuest(app.vmid, "echo 'written before the update' > /srv/data.txt");
      const fault = h.sim.addFault({
        match: { vmid: app.vmid, image: "^nginx:1\\.99$" },
        effect: failure.effect,
      });
      const request = updateRequest(app, "nginx:1.99");
      try {
        const outcome = await act(h, request);
        expect(outcome.type).toBe("failed");
        expect(outcome.payload).toMatchObject({
          kind: K.OPERATION_KIND_UPDATE,
          containerStatus: "running",
          attempts: 1,
        });
        expect(String(outcome.payload.reason)).toMatch(failure.reason);
        expect(String(outcome.payload.reason)).toMatch(
          /the app was rolled back to its state before the update$/,
        );
      } finally {
        h.sim.removeFault(fault);
      }
      expect(h.sim.guestFile(app.vmid, "/srv/data.txt")?.content).toBe("written before the update\n");
      expect(composeFile(app)).toContain("image: nginx:1.27");
      expect(h.sim.containers().find((c) => c.vmid === app.vmid)?.status).toBe("running");
      const ps = await psImages(app);
      expect(ps).toContain("nginx:1.27");
      expect(ps).toContain('"State":"running"');
      expect(await snapshots(app)).toEqual([]);
      // Its journal says what happened: the failed step, then every step of the rollback done.
      const steps = await h.db
        .selectFrom("operation_steps")
        .select(["name", "status"])
        .where("operation_id", "=", request.operationId)
        .execute();
      expect(steps.filter((s) => s.status === "running")).toEqual([]);
      expect(steps).toContainEqual({ name: "rollback", status: "done" });
      expect(steps).toContainEqual({ name: "delete-snapshot", status: "done" });
    });
  }

  it("update - an adopted container is refused without touching it", async () => {
    const app = await deployApp(h);
    const outcome = await act(h, { ...updateRequest(app, "nginx:1.28"), adopted: true });
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      "An adopted container runs no app of Proximity's: it cannot be updated",
    );
    expect(await snapshots(app)).toEqual([]);
  });
});
