/**
 * CLONE: a full copy of the source app's container as the new app's. A running source is copied
 * from a snapshot `proximity-cln-<op>` (journaled; removed right after the copy, and by the
 * cleanup whatever happens); the new VMID comes from the same placement and lease mechanism as
 * deploys (operations/placement). The clone is marked as Proximity's (tag, description with the
 * new app and the operation), started, given its own copy of the source's root password, and, for
 * apps of ours, its .env rewritten with its own published port (through stdin) and its secret
 * settings stored from that .env, before `docker compose up -d` and the usual check. After the last failed attempt everything is
 * undone: see cleanup-failed-clone.ts.
 */
import type { applicationsEventsV1 } from "@proximity/proto";
import { findStep } from "../../db/operation-step.repository.js";
import { readContainerState } from "../operations/container-state.js";
import type { Attempt } from "../operations/context.js";
import { OperationRefusedError } from "../operations/errors.js";
import { placeContainer } from "../operations/placement/place-container.js";
import { completeOperation, type OperationSpec } from "../operations/run-operation.js";
import { deleteSnapshot, snapshotName, takeSnapshot } from "../operations/snapshots.js";
import { Step } from "../operations/step-names.js";
import { connect } from "../operations/steps/connect.js";
import { bringUpCopy } from "./bring-up-copy.js";
import { cleanupFailedClone } from "./cleanup-failed-clone.js";
import { cloneCreator } from "./clone-creator.js";

export type CloneRequest = applicationsEventsV1.AppCloneRequested;
export type CloneAttempt = Attempt<CloneRequest>;

export const cloneSpec: OperationSpec<CloneRequest> = {
  kind: "clone",
  run: runClone,
  cleanup: cleanupFailedClone,
};

async function runClone(a: CloneAttempt): Promise<void> {
  const { request } = a;
  if (request.sourceVmid <= 0 || !request.sourceAppId) {
    throw new OperationRefusedError("The source app has no container to clone");
  }
  const connection = await connect(a);
  const snapshot = snapshotName("cln", request.operationId);
  // Decided once: the journal row of the snapshot step says a snapshot is (being) taken.
  const snapshotted =
    (await findStep(a.deps.db, request.operationId, Step.takeSnapshot)) !== undefined ||
    (await readContainerState(connection, request.node, request.sourceVmid)) === "running";
  if (snapshotted) await takeSnapshot(a, connection, request.sourceVmid, snapshot);
  const vmid = await placeContainer(
    a,
    connection,
    cloneCreator(a, connection, snapshotted ? snapshot : undefined),
  );
  if (snapshotted) await deleteSnapshot(a, connection, request.sourceVmid, snapshot);
  const ipAddress = await bringUpCopy(a, connection, vmid);
  await completeOperation(a, {
    vmid,
    ipAddress,
    containerStatus: "running",
    message: "Cloned from another app",
  });
}
