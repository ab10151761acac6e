/** ListAppOperations: an app's journal for operators, newest first, each operation with its steps. */
import { PermissionDeniedError, ValidationError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./support/harness.js";
import { Action, act, actionRequest, deployApp } from "./support/lifecycle.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe("ListAppOperations", () => {
  it("app operations - a deploy then a stop: newest first, with their steps; other apps apart", async () => {
    const app = await deployApp(h);
    const deploy = app.request;
    await deployApp(h);
    const stop = actionRequest(app, Action.APP_ACTION_STOP);
    expect((await act(h, stop)).type).toBe("succeeded");

    const { items } = await h.sre.listAppOperations({ appId: deploy.appId, limit: 0 });
    expect(items.map((o) => [o.id, o.kind, o.status])).toEqual([
      [stop.operationId, "stop", "succeeded"],
      [deploy.operationId, "deploy", "succeeded"],
    ]);
    const deployed = items[1]!;
    expect(deployed).toMatchObject({
      appId: deploy.appId,
      attempts: 1,
      lastError: "",
      claimedBy: "",
      claimedUntil: undefined,
    });
    expect(deployed.vmid).toBeGreaterThan(0);
    expect(deployed.steps.length).toBeGreaterThan(2);
    expect(deployed.steps.every((s) => s.status === "done")).toBe(true);
    expect(deployed.steps.some((s) => s.upid.startsWith("UPID:"))).toBe(true);
    expect((await h.sre.listAppOperations({ appId: deploy.appId, limit: 1 })).items.map((o) => o.id)).toEqual(
      [stop.operationId],
    );
  });

  it("app operations - an app the provisioner never worked on has none; an app id is required; gateway and sre only", async () => {
    expect((await h.sre.listAppOperations({ appId: "app-never-seen", limit: 10 })).items).toEqual([]);
    await expect(h.sre.listAppOperations({ appId: "", limit: 10 })).rejects.toBeInstanceOf(ValidationError);
    await expect(h.clientAs("hosts").listAppOperations({ appId: "x", limit: 1 })).rejects.toBeInstanceOf(
      PermissionDeniedError,
    );
    expect((await h.clientAs("api-gateway").listAppOperations({ appId: "x", limit: 1 })).items).toEqual([]);
  });
});
