/**
 * START / STOP / RESTART on the simulator: each ends in the right state and event, a duplicate
 * delivery has one effect, adopted containers are touched only as containers.
 */
import { Events } from "@proximity/bus";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, NODE, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, type DeployedApp, deployApp, tasksOf } from "./support/lifecycle.js";

const K = provisionerEventsV1.OperationKind;
let h: Harness;
let app: DeployedApp;

beforeAll(async () => {
  h = await startHarness({ STOP_SHUTDOWN_TIMEOUT_MS: "2000" });
  app = await deployApp(h);
});

afterAll(async () => {
  await h?.close();
});

const state = () => h.sim.containers().find((c) => c.vmid === app.vmid)?.status;
const composeUps = () =>
  h.sim
    .commandLog(NODE)
    .filter(
      (c) => c.command === `docker compose -f '/opt/proximity/${app.request.appId}/docker-compose.yml' up -d`,
    );

describe("actions", () => {
  it("stop - shuts a running container down and reports it stopped", async () => {
    const request = actionRequest(app, Action.APP_ACTION_STOP);
    const outcome = await act(h, request);
    expect(outcome.type).toBe("succeeded");
    expect(outcome.payload).toMatchObject({
      kind: K.OPERATION_KIND_STOP,
      appId: app.request.appId,
      vmid: app.vmid,
      containerStatus: "stopped",
      message: "stopped",
    });
    expect(state()).toBe("stopped");
    expect(await tasksOf(h, NODE, "vzshutdown", app.vmid)).toHaveLength(1);
    const op = await h.db
      .selectFrom("operations")
      .selectAll()
      .where("id", "=", request.operationId)
      .executeTakeFirstOrThrow();
    expect(op).toMatchObject({ kind: "stop", status: "succeeded", vmid: app.vmid });
  });

  it("stop - of a stopped container is a no-op success (no task)", async () => {
    const before = (await tasksOf(h, NODE, "vzshutdown", app.vmid)).length;
    const outcome = await act(h, actionRequest(app, Action.APP_ACTION_STOP));
    expect(outcome.payload).toMatchObject({ containerStatus: "stopped" });
    expect(await tasksOf(h, NODE, "vzshutdown", app.vmid)).toHaveLength(before);
  });

  it("start - the same request delivered twice starts once: one start task, one compose up, one success", async () => {
    const ups = composeUps().length;
    const request = actionRequest(app, Action.APP_ACTION_START);
    const eventId = await h.publishEvent(Events.AppActionRequested, request);
    await h.publishEvent(Events.AppActionRequested, request, eventId);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("succeeded");
    expect(outcome.payload).toMatchObject({ kind: K.OPERATION_KIND_START, containerStatus: "running" });
    expect(outcome.payload.ipAddress).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(state()).toBe("running");
    // Let the duplicate be handled (acknowledged as one), then count the effects.
    await eventually(
      async () => (await h.events()).filter((e) => e.payload.operationId === request.operationId).length > 0,
    );
    await new Promise((r) => setTimeout(r, 1_000));
    const finals = (await h.events()).filter(
      (e) => e.payload.operationId === request.operationId && e.type !== "progressed",
    );
    expect(finals).toHaveLength(1);
    // vzstart: one from the deploy, one from this start.
    expect(await tasksOf(h, NODE, "vzstart", app.vmid)).toHaveLength(2);
    expect(composeUps().length).toBe(ups + 1);
  });

  it("start - of a running container starts no task but brings the app up", async () => {
    const starts = (await tasksOf(h, NODE, "vzstart", app.vmid)).length;
    const outcome = await act(h, actionRequest(app, Action.APP_ACTION_START));
    expect(outcome.payload).toMatchObject({ containerStatus: "running" });
    expect(await tasksOf(h, NODE, "vzstart", app.vmid)).toHaveLength(starts);
  });

  it("restart - reboots a running container and reports it running", async () => {
    const outcome = await act(h, actionRequest(app, Action.APP_ACTION_RESTART));
    expect(outcome.payload).toMatchObject({ kind: K.OPERATION_KIND_RESTART, containerStatus: "running" });
    expect(await tasksOf(h, NODE, "vzreboot", app.vmid)).toHaveLength(1);
    expect(state()).toBe("running");
  });

  it("restart - starts a stopped container", async () => {
    await h.pve.waitForTask(await h.pve.stopContainer(NODE, app.vmid));
    const starts = (await tasksOf(h, NODE, "vzstart", app.vmid)).length;
    const outcome = await act(h, actionRequest(app, Action.APP_ACTION_RESTART));
    expect(outcome.payload).toMatchObject({ containerStatus: "running" });
    expect(await tasksOf(h, NODE, "vzstart", app.vmid)).toHaveLength(starts + 1);
    expect(state()).toBe("running");
  });

  it("stop - a container ignoring the shutdown is stopped hard after the timeout", async () => {
    const fault = h.sim.addFault({ match: { vmid: app.vmid }, effect: { kind: "shutdown-timeout" } });
    try {
      const outcome = await act(h, actionRequest(app, Action.APP_ACTION_STOP));
      expect(outcome.payload).toMatchObject({
        containerStatus: "stopped",
        message: "stopped (forced after the shutdown timeout)",
      });
      expect(state()).toBe("stopped");
    } finally {
      h.sim.removeFault(fault);
    }
  });

  it("start - an adopted container is started without any command inside it", async () => {
    const commands = h.sim.commandLog(NODE).length;
    const outcome = await act(h, actionRequest(app, Action.APP_ACTION_START, { adopted: true }));
    expect(outcome.payload).toMatchObject({ containerStatus: "running" });
    expect(state()).toBe("running");
    expect(h.sim.commandLog(NODE).slice(commands)).toEqual([]);
  });

  it("start - when the app cannot start, the failure reports the container's real state", async () => {
    const fault = h.sim.addFault({
      match: { sshCommand: `/opt/proximity/${app.request.appId}/docker-compose.yml' up -d$` },
      effect: { kind: "ssh-failure", code: 1, stderr: "no space left on device" },
    });
    try {
      const outcome = await act(h, actionRequest(app, Action.APP_ACTION_START));
      expect(outcome.type).toBe("failed");
      expect(outcome.payload).toMatchObject({
        kind: K.OPERATION_KIND_START,
        containerStatus: "running",
        reason: "Docker compose failed inside the container: no space left on device",
      });
    } finally {
      h.sim.removeFault(fault);
    }
  });

  it("start - a container that no longer exists fails at once with an explanation", async () => {
    const outcome = await act(h, actionRequest(app, Action.APP_ACTION_START, { vmid: 99_999 }));
    expect(outcome.type).toBe("failed");
    expect(outcome.payload).toMatchObject({
      attempts: 1,
      reason: `Container 99999 does not exist on node ${NODE}`,
    });
  });

  it("stop - a container carrying another app's mark is left untouched, adopted flag or not", async () => {
    expect(state()).toBe("running");
    for (const appId of ["someone-else", undefined]) {
      const outcome = await act(
        h,
        actionRequest(
          app,
          Action.APP_ACTION_STOP,
          appId ? { appId } : { appId: "never-adopted", adopted: true },
        ),
      );
      expect(outcome.type).toBe("failed");
      expect(outcome.payload).toMatchObject({
        attempts: 1,
        reason: `Container ${app.vmid} is not this app's; it was left untouched`,
      });
      expect(state()).toBe("running");
    }
  });
});
