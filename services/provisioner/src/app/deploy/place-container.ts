/**
 * Steps 2 and 3 together: choose a VMID and create the container on it. When the VMID turns out to
 * belong to someone else (a foreign container, or another operation's containers row), it is
 * abandoned and another one chosen, a bounded number of times.
 */

import { findOperation } from "../../db/operation.repository.js";
import { findStep } from "../../db/operation-step.repository.js";
import type { DeployAttempt, HostConnection } from "./deploy-context.js";
import { StepFailedError, VmidTakenError } from "./errors.js";
import { runStep } from "./journal-step.js";
import { DeployStep } from "./step-names.js";
import { abandonVmid, allocateVmid } from "./steps/allocate-vmid.js";
import { createContainer } from "./steps/create-container.js";

/** VMIDs tried per attempt before the attempt fails (the next delivery tries again). */
const MAX_VMID_CHOICES = 3;

/** Returns the VMID of the operation's container, which exists once this resolves. */
export async function placeContainer(a: DeployAttempt, connection: HostConnection): Promise<number> {
  const { db } = a.deps;
  const operationId = a.request.operationId;
  const excluded = new Set<number>();
  for (let choice = 1; ; choice++) {
    const created = await findStep(db, operationId, DeployStep.createContainer);
    const vmid = (await findOperation(db, operationId))?.vmid ?? null;
    if (created?.status === "done" && vmid !== null) return vmid;
    const chosen = await runStep(DeployStep.allocateVmid, () => allocateVmid(a, connection, excluded));
    try {
      await createContainer(a, connection, chosen);
      return chosen;
    } catch (err) {
      const taken = err instanceof StepFailedError && err.cause instanceof VmidTakenError;
      if (!taken || choice >= MAX_VMID_CHOICES) throw err;
      a.log.warn({ vmid: chosen }, "VMID belongs to someone else; choosing another");
      excluded.add(chosen);
      await abandonVmid(a, chosen);
    }
  }
}
