import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import { getOperation } from "../../app/get-operation.js";
import type { Db } from "../../db/database.js";
import { RPC_CALLERS } from "../callers.js";

export function getOperationHandler(h: HandlerFactory, db: Db) {
  return h.unary<provisionerV1.GetOperationRequest, provisionerV1.GetOperationResponse>(
    "GetOperation",
    { callers: RPC_CALLERS },
    async (req) => {
      const { operation: op, steps } = await getOperation(db, req.id);
      return {
        operation: {
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
        },
      };
    },
  );
}
