import { Events } from "@proximity/bus";
import type { Logger } from "@proximity/logger";
import { applicationsEventsV1 } from "@proximity/proto";
import { liveAppsOnNode, setAttention } from "../db/app-attention.repository.js";
import type { AppWithAttention } from "../db/app-attention.table.js";
import type { NodePlacement } from "../db/app-metrics.repository.js";
import type { ApplicationsDb } from "../db/database.js";
import { appendLog } from "../db/deployment-log.repository.js";
import { type Attention, type AttentionKind, reconcile } from "../domain/reconciliation.js";
import { appRef, emit } from "./app-events.js";

/** A node as observed: which containers it has, and in which state. */
export interface ObservedNode extends NodePlacement {
  readonly observedAt: Date;
  readonly containers: readonly { readonly vmid: number; readonly status: string }[];
}

export interface ReconcileContext {
  readonly log: Logger;
  /** Of the observation, carried on to the events it causes. */
  readonly traceparent: string;
}

const { AttentionKind: ProtoKind } = applicationsEventsV1;
const KIND_TO_PROTO: Readonly<Record<AttentionKind, applicationsEventsV1.AttentionKind>> = {
  container_missing: ProtoKind.ATTENTION_KIND_CONTAINER_MISSING,
  changed_outside: ProtoKind.ATTENTION_KIND_CHANGED_OUTSIDE,
  operation_timed_out: ProtoKind.ATTENTION_KIND_OPERATION_TIMED_OUT,
};

/**
 * Compares every live app placed on the observed node with what the node reported, in the
 * caller's transaction. A new or changed attention is recorded on the app, written to its log and
 * published once as AppNeedsAttention; an attention reconciliation raised is cleared (and logged)
 * once reality matches again. Statuses are never changed and nothing is deleted.
 * @returns how many apps were raised and cleared.
 */
export async function reconcileNode(
  trx: ApplicationsDb,
  observed: ObservedNode,
  ctx: ReconcileContext,
): Promise<{ raised: number; cleared: number }> {
  const containers = new Map(observed.containers.map((c) => [c.vmid, c]));
  const counts = { raised: 0, cleared: 0 };
  for (const app of await liveAppsOnNode(trx, observed)) {
    const decision = reconcile(
      {
        status: app.status,
        node: app.node,
        vmid: app.vmid,
        currentOperationId: app.current_operation_id,
        attention: app.attention,
        attentionKind: app.attention_kind,
        updatedAt: app.updated_at,
      },
      app.vmid === null ? undefined : containers.get(app.vmid),
      observed.observedAt,
    );
    if (decision.action === "raise" && (await raise(trx, app, decision.attention, ctx))) counts.raised++;
    if (decision.action === "clear" && (await clear(trx, app, decision.previous, ctx))) counts.cleared++;
  }
  return counts;
}

async function raise(
  trx: ApplicationsDb,
  app: AppWithAttention,
  attention: Attention,
  ctx: ReconcileContext,
): Promise<boolean> {
  const updated = await setAttention(trx, app, attention);
  if (!updated) return false;
  await appendLog(trx, { appId: app.id, level: "warn", step: "attention", message: attention.reason });
  await emit(
    trx,
    Events.AppNeedsAttention,
    { app: appRef(updated), kind: KIND_TO_PROTO[attention.kind], reason: attention.reason },
    app,
    ctx.traceparent,
  );
  ctx.log.warn({ appId: app.id, kind: attention.kind }, "app needs attention");
  return true;
}

async function clear(
  trx: ApplicationsDb,
  app: AppWithAttention,
  previous: string,
  ctx: ReconcileContext,
): Promise<boolean> {
  if (!(await setAttention(trx, app, undefined))) return false;
  await appendLog(trx, {
    appId: app.id,
    level: "info",
    step: "attention-cleared",
    message: `The container matches the app again; cleared: ${previous}`,
  });
  ctx.log.info({ appId: app.id }, "app attention cleared");
  return true;
}
