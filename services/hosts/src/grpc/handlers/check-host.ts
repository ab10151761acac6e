import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { requestHostCheck } from "../../app/request-host-check.js";
import { OPERATOR, requestMeta, requireAdminOrOperator } from "../request-meta.js";

export function checkHostHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.CheckHostRequest, hostsV1.CheckHostResponse>(
    "CheckHost",
    // Operators run checks too (proximityctl hosts check), as themselves: no end user.
    { callers: ["api-gateway", OPERATOR] },
    async (req, ctx) => {
      requireAdminOrOperator(ctx);
      return { checkId: await requestHostCheck(deps.db, req.id, requestMeta(ctx)) };
    },
  );
}
