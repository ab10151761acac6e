import { type EventHandler, processOnce } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import { reconcileNode } from "../../app/reconcile-node.js";
import { recordMetrics } from "../../db/app-metrics.repository.js";
import type { ApplicationsDb } from "../../db/database.js";
import { advanceNodeObservation } from "../../db/observed-node.repository.js";
import { OBSERVATIONS_DURABLE } from "../durables.js";

/**
 * One node of a reachable host was observed: record the metrics of its apps and reconcile them,
 * once per observation (inbox) and only if it is the node's newest so far (a late, older one would
 * bring back a state that is already known to be past). An unreachable host publishes nothing,
 * and nothing is concluded from that silence.
 */
export function handleContainersObserved(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.ContainersObserved> {
  return async (event, ctx) => {
    const observedAt = event.observedAt;
    if (!event.hostId || !event.node || !observedAt) {
      ctx.log.warn(
        { hostId: event.hostId, node: event.node },
        "observation without host, node or time; skipped",
      );
      return;
    }
    const at = { hostId: event.hostId, node: event.node };
    await processOnce(db, OBSERVATIONS_DURABLE, ctx.eventId, async (trx) => {
      if (!(await advanceNodeObservation(trx, at, observedAt))) {
        ctx.log.debug({ ...at, observedAt }, "observation older than the node's latest; ignored");
        return;
      }
      const measured = await recordMetrics(trx, at, observedAt, event.containers);
      const { raised, cleared } = await reconcileNode(
        trx,
        { ...at, observedAt, containers: event.containers },
        { log: ctx.log, traceparent: ctx.traceparent },
      );
      ctx.log.debug(
        { ...at, containers: event.containers.length, measured, raised, cleared },
        "node observed",
      );
    });
  };
}
