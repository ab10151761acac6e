import { NotFoundError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { releaseVmid } from "../db/container.repository.js";
import { isCreatedBy } from "../domain/container-marker.js";
import type { HostConnection, OperationDeps } from "./operations/context.js";
import { resolveConnection } from "./operations/steps/resolve-connection.js";

/** A container an operation may have created, as recorded in the `containers` table. */
export interface OperationContainer {
  readonly hostId: string;
  readonly node: string;
  readonly vmid: number;
  readonly operationId: string;
}

/**
 * Destroys the container if this operation created it (its description carries our mark; anything
 * else is left alone), then drops the `containers` row that reserved its VMID. If the host cannot
 * be reached the row stays, keeping the VMID from being reused while an orphan may exist; the
 * orphan reconciler retries later. Returns whether the container is known to be gone.
 */
export async function removeOperationContainer(
  deps: OperationDeps,
  target: OperationContainer,
  traceparent: string,
  log: Logger,
): Promise<boolean> {
  let connection: HostConnection | undefined;
  let failed = true;
  try {
    connection = await resolveConnection(deps, target, { traceparent });
    await destroyIfOurs(deps, connection, target, log);
    await releaseVmid(deps.db, target.operationId, target.hostId, target.vmid);
    failed = false;
    return true;
  } catch (err) {
    log.error({ err, vmid: target.vmid }, "could not remove the container; its VMID stays reserved");
    return false;
  } finally {
    await connection?.close({ discard: failed }).catch(() => undefined);
  }
}

async function destroyIfOurs(
  deps: OperationDeps,
  connection: HostConnection,
  { node, vmid, operationId }: OperationContainer,
  log: Logger,
): Promise<void> {
  const { pve } = connection;
  const wait = { timeoutMs: deps.settings.taskTimeoutMs, intervalMs: deps.settings.taskPollIntervalMs };
  const config = await pve.containerConfig(node, vmid).catch((err: unknown) => {
    if (err instanceof NotFoundError) return undefined;
    throw err;
  });
  if (!config) return log.info({ vmid }, "no container to remove");
  if (!isCreatedBy(config, operationId)) return log.info({ vmid }, "container is not ours; left alone");
  if ((await pve.containerStatus(node, vmid)).status === "running") {
    await pve.waitForTask(await pve.stopContainer(node, vmid), wait);
    log.info({ vmid }, "container stopped");
  }
  await pve.waitForTask(
    await pve.deleteContainer(node, vmid, { purge: true, destroyUnreferencedDisks: true }),
    wait,
  );
  log.info({ vmid }, "container destroyed");
}
