/** Step 6: the operation succeeded. The final status and OperationSucceeded commit together. */
import { finishOperation } from "../../../db/operation.repository.js";
import { addSucceeded } from "../../../events/publish.js";
import type { DeployAttempt } from "../deploy-context.js";
import { OwnershipLostError } from "../errors.js";
import { origin } from "../journal-step.js";

export async function completeDeploy(a: DeployAttempt, vmid: number, ipAddress: string): Promise<void> {
  const { operationId, hostId, node } = a.request;
  await a.deps.db.transaction().execute(async (trx) => {
    // Only the claim holder may finish: a worker that lost its claim leaves it to the new holder.
    if (!(await finishOperation(trx, operationId, a.deps.workerId, "succeeded", null))) {
      throw new OwnershipLostError("The claim on the operation was lost before it completed");
    }
    await addSucceeded(trx, origin(a), { hostId, node, vmid, ipAddress });
  });
  a.log.info({ vmid, ipAddress }, "deploy succeeded");
}
