import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import { getOperation } from "../../app/get-operation.js";
import type { Db } from "../../db/database.js";
import { RPC_CALLERS } from "../callers.js";
import { toProtoOperation } from "../operation-to-proto.js";

export function getOperationHandler(h: HandlerFactory, db: Db) {
  return h.unary<provisionerV1.GetOperationRequest, provisionerV1.GetOperationResponse>(
    "GetOperation",
    { callers: RPC_CALLERS },
    async (req) => {
      const { operation, steps } = await getOperation(db, req.id);
      return { operation: toProtoOperation(operation, steps) };
    },
  );
}
