/**
 * The provisioner's public events, written to its outbox inside the caller's transaction (the
 * relay publishes them). Business code never publishes to JetStream directly.
 */
import { addToOutbox, Events } from "@proximity/bus";
import { provisionerEventsV1 } from "@proximity/proto";
import type { DbOrTrx } from "../db/database.js";

export const SERVICE_NAME = "provisioner";

const DEPLOY = provisionerEventsV1.OperationKind.OPERATION_KIND_DEPLOY;

/** Which operation an event is about, and the trace it continues. */
export interface EventOrigin {
  readonly operationId: string;
  readonly appId: string;
  readonly traceparent: string;
}

const meta = (o: EventOrigin) => ({ source: SERVICE_NAME, traceparent: o.traceparent, subject: o.appId });

export function addProgress(
  trx: DbOrTrx,
  o: EventOrigin,
  progress: { step: string; message: string; attempt: number },
): Promise<string> {
  return addToOutbox(
    trx,
    Events.OperationProgressed,
    { operationId: o.operationId, kind: DEPLOY, appId: o.appId, ...progress },
    meta(o),
  );
}

export function addSucceeded(
  trx: DbOrTrx,
  o: EventOrigin,
  result: { hostId: string; node: string; vmid: number; ipAddress: string },
): Promise<string> {
  return addToOutbox(
    trx,
    Events.OperationSucceeded,
    {
      operationId: o.operationId,
      kind: DEPLOY,
      appId: o.appId,
      containerStatus: "running",
      adopted: undefined,
      message: "",
      ...result,
    },
    meta(o),
  );
}

export function addFailed(
  trx: DbOrTrx,
  o: EventOrigin,
  failure: { reason: string; attempts: number },
): Promise<string> {
  return addToOutbox(
    trx,
    Events.OperationFailed,
    { operationId: o.operationId, kind: DEPLOY, appId: o.appId, containerStatus: "", ...failure },
    meta(o),
  );
}

/** Records the result of a host check (the hosts service applies it to the host and its nodes). */
export function addHostChecked(
  trx: DbOrTrx,
  report: provisionerEventsV1.HostChecked,
  traceparent: string,
): Promise<string> {
  return addToOutbox(trx, Events.HostChecked, report, {
    source: SERVICE_NAME,
    traceparent,
    subject: report.hostId,
  });
}
