/**
 * Creates the operation's container on a chosen VMID (a create for deploys, a clone for clones).
 * The containers row is written first: its unique (host, vmid) constraint is the final guard, and
 * it is checked before the irreversible effect rather than after it. "Already exists" is judged by
 * the mark in the description: ours (an earlier attempt got that far) means continue, anyone
 * else's means this VMID must be abandoned.
 */
import { AlreadyExistsError, ConflictError, NotFoundError } from "@proximity/errors";
import type { Upid } from "@proximity/proxmox";
import { releaseVmid, reserveVmid } from "../../../db/container.repository.js";
import { isCreatedBy } from "../../../domain/container-marker.js";
import type { Attempt, HostConnection } from "../context.js";
import { VmidTakenError } from "../errors.js";
import { runJournaledStep } from "../journal-step.js";
import { runProxmoxTask } from "../proxmox-task.js";
import type { StepName } from "../step-names.js";

/** How one kind brings a container into existence on a VMID. */
export interface ContainerCreator {
  /** The journaled step (its UPID is the create or clone task). */
  readonly step: StepName;
  message(vmid: number): string;
  /**
   * Starts the task creating `vmid`, marked with the operation (description). Rejects with
   * AlreadyExistsError when the VMID exists.
   */
  start(vmid: number): Promise<Upid>;
  /** Longest wait for the task (default: the configured task timeout; restores copy whole disks). */
  readonly taskTimeoutMs?: number;
}

/** Creates container `vmid` (or adopts the one an earlier attempt created); releases the lease after. */
export async function createOnVmid(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  creator: ContainerCreator,
): Promise<void> {
  const { operationId, appId, hostId, node } = a.request;
  await runJournaledStep(a, creator.step, creator.message(vmid), async (previous) => {
    const held = await reserveVmid(a.deps.db, { hostId, vmid, node, appId, operationId });
    if (held === "taken") throw new VmidTakenError(vmid);
    await runProxmoxTask(
      a,
      connection,
      creator.step,
      previous,
      () => startUnlessOurs(a, connection, vmid, creator, previous !== undefined),
      creator.taskTimeoutMs,
    );
    // The container exists and the containers row holds its VMID: the lease has done its job. Its
    // release goes on beside the next steps (the attempt waits for it before it ends); failed, the
    // lease expires after its TTL, and the containers row keeps the VMID ours meanwhile.
    const lease = a.lease;
    a.lease = undefined;
    if (lease)
      a.offPath.start(
        lease
          .release()
          .catch((err: unknown) => a.log.warn({ err, vmid }, "could not release the VMID lease")),
      );
    return undefined;
  });
}

/**
 * Starts the create task, unless the container exists already: ours (an earlier attempt's) is
 * continued, anyone else's VMID abandoned. `begunBefore`: an earlier attempt began this step, so
 * this operation may have sent a create for `vmid` whose task still runs.
 */
async function startUnlessOurs(
  a: Attempt,
  connection: HostConnection,
  vmid: number,
  creator: ContainerCreator,
  begunBefore: boolean,
): Promise<Upid | null> {
  const { operationId, hostId, node } = a.request;
  // Fencing: this compare-and-set succeeds only if nobody took the lease since our last write.
  await a.lease?.renew(a.signal);
  try {
    return await creator.start(vmid);
  } catch (err) {
    if (!(err instanceof AlreadyExistsError)) throw err;
  }
  const config = await connection.pve
    .containerConfig(node, vmid)
    .catch((err: unknown): Record<string, unknown> => {
      if (err instanceof NotFoundError) return {}; // it lives on another node: not ours
      throw err;
    });
  if (isCreatedBy(config, operationId)) {
    if (config.lock) throw new ConflictError(`Container ${vmid} is still locked (${String(config.lock)})`);
    a.log.info({ vmid }, "container already created by this operation; continuing");
    return null;
  }
  // Proxmox writes a restored (or created) CT's config only when the task ends: until then it holds
  // just `lock: create`. If this operation may have sent that create (an earlier attempt began the
  // step), whose it is can only be judged afterwards: wait instead of abandoning it. If it never
  // did, it is someone else's (made since the host's guests were listed).
  if (config.lock === "create" && config.description === undefined && begunBefore) {
    throw new ConflictError(`Container ${vmid} is still being created`);
  }
  await releaseVmid(a.deps.db, operationId, hostId, vmid);
  throw new VmidTakenError(vmid);
}
