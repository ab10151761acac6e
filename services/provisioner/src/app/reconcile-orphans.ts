import { newTraceparent } from "@proximity/bus";
import type { OperationDeps } from "./operations/context.js";
import { removeOperationContainer } from "./remove-operation-container.js";

/** A background loop; `stop()` waits for the round in progress. */
export interface OrphanReconciler {
  stop(): Promise<void>;
}

/**
 * Finishes the cleanup that failed deploys could not do: a `containers` row whose operation failed
 * means a half-built container may still exist (its host was unreachable during the cleanup).
 * Every `intervalMs` each such container is destroyed if it carries the operation's mark and its
 * row released. An unreachable host is simply tried again next round; nothing is ever deleted
 * because a host did not answer. Several replicas may run this: destroying is idempotent (a
 * container already gone is "no container to remove").
 */
export function startOrphanReconciler(deps: OperationDeps, intervalMs: number): OrphanReconciler {
  const log = deps.logger.child({ component: "orphan-reconciler" });
  let stopped = false;
  let round: Promise<void> = Promise.resolve();
  const runRound = async () => {
    const orphans = await deps.db
      .selectFrom("containers")
      .innerJoin("operations", "operations.id", "containers.operation_id")
      .select(["containers.host_id", "containers.node", "containers.vmid", "containers.operation_id"])
      .where("operations.status", "=", "failed")
      .orderBy("containers.created_at")
      .limit(20)
      .execute();
    for (const orphan of orphans) {
      if (stopped) return;
      const target = {
        hostId: orphan.host_id,
        node: orphan.node,
        vmid: orphan.vmid,
        operationId: orphan.operation_id,
      };
      const removed = await removeOperationContainer(deps, target, newTraceparent(), log.child(target));
      if (removed) log.info(target, "orphaned container of a failed deploy removed");
    }
  };
  const timer = setInterval(() => {
    round = round
      .then(runRound)
      .catch((err: unknown) => log.warn({ err }, "orphan reconciliation round failed"));
  }, intervalMs);
  return {
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await round;
    },
  };
}
