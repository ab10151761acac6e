/**
 * RESTART: a running container is rebooted, a stopped one started (one journaled task either way,
 * chosen when the step first runs); then, as for START, the app's compose project is brought up
 * and checked (adopted containers: the container only). Reports "running".
 */
import { type ActionAttempt, type ActionRequest, ownedVmid } from "../operations/action-request.js";
import { readContainerState } from "../operations/container-state.js";
import { reportContainerState } from "../operations/report-state.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { taskStep } from "../operations/steps/task-step.js";
import { bringUpApp } from "../start/run-start.js";

export const restartSpec: OperationSpec<ActionRequest> = {
  kind: "restart",
  vmidOf: (r) => r.vmid || null,
  run: runRestart,
  cleanup: reportContainerState,
};

async function runRestart(a: ActionAttempt): Promise<void> {
  const { node } = a.request;
  const connection = await connect(a);
  const vmid = await ownedVmid(a, connection);
  await taskStep(a, connection, Step.rebootContainer, `Restarting container ${vmid}`, async () =>
    (await readContainerState(connection, node, vmid)) === "running"
      ? connection.pve.rebootContainer(node, vmid)
      : connection.pve.startContainer(node, vmid),
  );
  const ipAddress = await bringUpApp(a, connection, vmid);
  await completeOperation(a, { vmid, ipAddress, containerStatus: "running", message: "restarted" });
}
