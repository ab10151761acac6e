/**
 * START: start the container unless it runs (the task is journaled), then for apps of ours
 * `docker compose up -d` in /opt/proximity/<app>/ (idempotent) and check every service runs; an
 * adopted container is only started and checked. Reports "running" with the address.
 */
import { type ActionAttempt, type ActionRequest, ownedVmid } from "../operations/action-request.js";
import type { Attempt, OperationRequest } from "../operations/context.js";
import { reportContainerState } from "../operations/report-state.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { connect } from "../operations/steps/connect.js";
import { startApp } from "../operations/steps/start-app.js";
import { startContainer } from "../operations/steps/start-container.js";
import { verifyApp } from "../operations/steps/verify-app.js";
import { verifyContainer } from "../operations/steps/verify-container.js";

export const startSpec: OperationSpec<ActionRequest> = {
  kind: "start",
  vmidOf: (r) => r.vmid || null,
  run: runStart,
  cleanup: reportContainerState,
};

async function runStart(a: ActionAttempt): Promise<void> {
  const connection = await connect(a);
  const vmid = await ownedVmid(a, connection);
  await startContainer(a, connection, vmid);
  const ipAddress = await bringUpApp(a, connection, vmid);
  await completeOperation(a, { vmid, ipAddress, containerStatus: "running", message: "started" });
}

/** After the container runs: the app's compose project up and verified (adopted: the container only). */
export async function bringUpApp(
  a: Attempt<OperationRequest & { readonly adopted: boolean }>,
  connection: Parameters<typeof startApp>[1],
  vmid: number,
): Promise<string> {
  if (a.request.adopted) return verifyContainer(a, connection, vmid, "running");
  await startApp(a, connection, vmid);
  return verifyApp(a, connection, vmid);
}
