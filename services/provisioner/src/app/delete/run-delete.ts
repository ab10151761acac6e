/**
 * DELETE. With destroy_container: find the app's container (the request's VMID, else the journal's
 * containers row, else a container on the node carrying the app's mark), stop it if it runs,
 * destroy it (purge), then forget the app: its containers rows, its secrets (root password and
 * every `apps/<id>/env/<NAME>`), any VMID lease an operation of the app still holds. A container
 * already gone counts as deleted. Without destroy_container (adopted, or detached on request) the
 * container is left untouched and only its containers row is removed.
 */

import type { applicationsEventsV1 } from "@proximity/proto";
import { forgetContainersOfApp } from "../../db/container.repository.js";
import type { Attempt } from "../operations/context.js";
import { runJournaledStep } from "../operations/journal-step.js";
import { reportContainerState } from "../operations/report-state.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { destroyContainer } from "./destroy-container.js";
import { destroyStrayContainers } from "./destroy-strays.js";
import { findAppContainer } from "./find-app-container.js";
import { forgetApp } from "./forget-app.js";

export type DeleteRequest = applicationsEventsV1.AppDeleteRequested;
export type DeleteAttempt = Attempt<DeleteRequest>;

export const deleteSpec: OperationSpec<DeleteRequest> = {
  kind: "delete",
  vmidOf: (r) => r.vmid || null,
  run: runDelete,
  cleanup: reportContainerState,
};

async function runDelete(a: DeleteAttempt): Promise<void> {
  const { hostId, appId } = a.request;
  if (!a.request.destroyContainer) {
    await runJournaledStep(a, Step.forgetApp, "Forgetting the container (left on the host)", async () => {
      await forgetContainersOfApp(a.deps.db, hostId, appId);
      return undefined;
    });
    return complete(a, "removed from Proximity; the container was left on the host");
  }
  const connection = await connect(a);
  const vmid = await findAppContainer(a, connection);
  if (vmid !== null) await destroyContainer(a, connection, vmid);
  await destroyStrayContainers(a, connection, vmid);
  await forgetApp(a, vmid);
  await complete(
    a,
    vmid === null ? "deleted (no container was found)" : `deleted; container ${vmid} destroyed`,
  );
}

function complete(a: DeleteAttempt, message: string): Promise<void> {
  return completeOperation(a, { vmid: 0, ipAddress: "", containerStatus: "", message });
}
