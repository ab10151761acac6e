/** Shared steps of the life-cycle tests: a deployed app, and the requests about it. */
import { randomUUID } from "node:crypto";
import { Events } from "@proximity/bus";
import { applicationsEventsV1 } from "@proximity/proto";
import { expect } from "vitest";
import type { Harness } from "./harness.js";

export interface DeployedApp {
  readonly request: applicationsEventsV1.AppDeployRequested;
  readonly vmid: number;
}

/** Deploys an app through the provisioner and waits for its success. */
export async function deployApp(
  h: Harness,
  overrides: Partial<applicationsEventsV1.AppDeployRequested> = {},
): Promise<DeployedApp> {
  const request = h.deployRequest(overrides);
  await h.publish(request);
  const outcome = await h.outcome(request.operationId, 30_000);
  expect(outcome.type, String(outcome.payload.reason ?? "")).toBe("succeeded");
  return { request, vmid: outcome.payload.vmid as number };
}

export const Action = applicationsEventsV1.AppAction;

export function actionRequest(
  app: DeployedApp,
  action: applicationsEventsV1.AppAction,
  overrides: Partial<applicationsEventsV1.AppActionRequested> = {},
): applicationsEventsV1.AppActionRequested {
  const { request } = app;
  return {
    operationId: randomUUID(),
    appId: request.appId,
    action,
    hostId: request.hostId,
    node: request.node,
    vmid: app.vmid,
    adopted: false,
    compose: "",
    environment: {},
    secretEnvironment: [],
    publicPort: 0,
    ...overrides,
  };
}

/** Publishes an action and waits for its final event. */
export async function act(h: Harness, request: applicationsEventsV1.AppActionRequested, timeoutMs = 30_000) {
  await h.publishEvent(Events.AppActionRequested, request);
  return h.outcome(request.operationId, timeoutMs);
}

/** Tasks of a type the simulator ran for a VMID (GET /nodes/{node}/tasks). */
export async function tasksOf(h: Harness, node: string, type: string, vmid: number): Promise<unknown[]> {
  const tasks = (await h.api(`/nodes/${node}/tasks?limit=1000`)) as { type: string; id?: string }[];
  return tasks.filter((t) => t.type === type && t.id === String(vmid));
}
