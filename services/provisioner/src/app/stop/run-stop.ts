/**
 * STOP: a graceful shutdown with the configured timeout; when it fails or times out, a hard stop.
 * Nothing to do when the container is already stopped. Docker stops its services with the
 * container, for our apps and adopted ones alike. Reports "stopped".
 */
import { DeadlineExceededError } from "@proximity/errors";
import { TaskFailedError } from "@proximity/proxmox";
import { type ActionAttempt, type ActionRequest, ownedVmid } from "../operations/action-request.js";
import { readContainerState } from "../operations/container-state.js";
import type { HostConnection } from "../operations/context.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { runProxmoxTask } from "../operations/proxmox-task.js";
import { reportContainerState } from "../operations/report-state.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { taskStep } from "../operations/steps/task-step.js";
import { verifyContainer } from "../operations/steps/verify-container.js";

export const stopSpec: OperationSpec<ActionRequest> = {
  kind: "stop",
  vmidOf: (r) => r.vmid || null,
  run: runStop,
  cleanup: reportContainerState,
};

/** Journal detail of a shutdown that did not finish in time (the hard stop follows). */
const SHUTDOWN_TIMED_OUT = "timed-out";

async function runStop(a: ActionAttempt): Promise<void> {
  const connection = await connect(a);
  const vmid = await ownedVmid(a, connection);
  const graceful = await shutdown(a, connection, vmid);
  if (!graceful) {
    await taskStep(a, connection, Step.stopContainer, `Stopping container ${vmid}`, async () =>
      (await readContainerState(connection, a.request.node, vmid)) === "stopped"
        ? null
        : connection.pve.stopContainer(a.request.node, vmid),
    );
  }
  await verifyContainer(a, connection, vmid, "stopped");
  await completeOperation(a, {
    vmid,
    ipAddress: "",
    containerStatus: "stopped",
    message: graceful ? "stopped" : "stopped (forced after the shutdown timeout)",
  });
}

/** True when the container shut down (or was already stopped); false when a hard stop is needed. */
async function shutdown(a: ActionAttempt, connection: HostConnection, vmid: number): Promise<boolean> {
  const { node } = a.request;
  const timeoutMs = a.deps.settings.shutdownTimeoutMs;
  const detail = await runJournaledStep(
    a,
    Step.shutdownContainer,
    `Shutting down container ${vmid}`,
    async (previous) => {
      try {
        await runProxmoxTask(a, connection, Step.shutdownContainer, previous, async () =>
          (await readContainerState(connection, node, vmid)) === "stopped"
            ? null
            : connection.pve.shutdownContainer(node, vmid, Math.max(1, Math.ceil(timeoutMs / 1000))),
        );
        return undefined;
      } catch (err) {
        // Proxmox ends a shutdown that outlives its timeout with an error; so does a guest ignoring it.
        if (err instanceof TaskFailedError || err instanceof DeadlineExceededError) {
          a.log.warn({ vmid }, "graceful shutdown did not finish; stopping the container");
          return SHUTDOWN_TIMED_OUT;
        }
        throw err;
      }
    },
  );
  return detail !== SHUTDOWN_TIMED_OUT;
}
