import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import { listAppOperations } from "../../app/list-app-operations.js";
import type { Db } from "../../db/database.js";
import { RPC_CALLERS } from "../callers.js";
import { toProtoOperation } from "../operation-to-proto.js";

export function listAppOperationsHandler(h: HandlerFactory, db: Db) {
  return h.unary<provisionerV1.ListAppOperationsRequest, provisionerV1.ListAppOperationsResponse>(
    "ListAppOperations",
    { callers: RPC_CALLERS },
    async (req) => ({
      items: (await listAppOperations(db, req.appId, req.limit)).map((o) =>
        toProtoOperation(o.operation, o.steps),
      ),
    }),
  );
}
