import type { provisionerV1 } from "@proximity/proto";
import type { OperationRow } from "../db/operation.repository.js";
import type { StepRow } from "../db/operation-step.repository.js";

/** A journal operation and its steps as the API shows them (no step details). */
export function toProtoOperation(op: OperationRow, steps: readonly StepRow[]): provisionerV1.Operation {
  return {
    id: op.id,
    kind: op.kind,
    appId: op.app_id,
    hostId: op.host_id,
    node: op.node,
    vmid: op.vmid ?? 0,
    status: op.status,
    attempts: op.attempts,
    lastError: op.last_error ?? "",
    steps: steps.map((s) => ({
      name: s.name,
      status: s.status,
      upid: s.upid ?? "",
      updatedAt: s.updated_at,
    })),
    createdAt: op.created_at,
    updatedAt: op.updated_at,
    claimedBy: op.claimed_by ?? "",
    claimedUntil: op.claimed_until ?? undefined,
  };
}
