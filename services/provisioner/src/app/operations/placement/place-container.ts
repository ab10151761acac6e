/**
 * Placement of a new container (deploy creates one, clone copies one): choose a VMID under a lease
 * and create the container on it. When the VMID turns out to belong to someone else (a foreign
 * container, or another operation's containers row), it is abandoned and another one chosen, a
 * bounded number of times.
 */
import { findOperation } from "../../../db/operation.repository.js";
import { findStep } from "../../../db/operation-step.repository.js";
import type { Attempt, HostConnection } from "../context.js";
import { StepFailedError, VmidTakenError } from "../errors.js";
import { runStep } from "../journal-step.js";
import { Step } from "../step-names.js";
import { abandonVmid, allocateVmid } from "./allocate-vmid.js";
import { type ContainerCreator, createOnVmid } from "./create-on-vmid.js";

/** VMIDs tried per attempt before the attempt fails (the next delivery tries again). */
const MAX_VMID_CHOICES = 3;

/** Returns the VMID of the operation's container, which exists once this resolves. */
export async function placeContainer(
  a: Attempt,
  connection: HostConnection,
  creator: ContainerCreator,
): Promise<number> {
  const { db } = a.deps;
  const operationId = a.request.operationId;
  const excluded = new Set<number>();
  for (let choice = 1; ; choice++) {
    // A first attempt has no journal to read back (see runJournaledStep): two queries fewer.
    if (a.attempt > 1) {
      const created = await findStep(db, operationId, creator.step);
      const vmid = (await findOperation(db, operationId))?.vmid ?? null;
      if (created?.status === "done" && vmid !== null) return vmid;
    }
    const chosen = await runStep(Step.allocateVmid, () =>
      allocateVmid(a, connection, excluded, creator.step),
    );
    try {
      await createOnVmid(a, connection, chosen, creator);
      return chosen;
    } catch (err) {
      const taken = err instanceof StepFailedError && err.cause instanceof VmidTakenError;
      if (!taken || choice >= MAX_VMID_CHOICES) throw err;
      a.log.warn({ vmid: chosen }, "VMID belongs to someone else; choosing another");
      excluded.add(chosen);
      // A guest made since the host's guests were listed: the next choice lists them again.
      a.deps.guestVmids.forget(a.request.hostId);
      await abandonVmid(a, chosen, creator.step);
    }
  }
}
