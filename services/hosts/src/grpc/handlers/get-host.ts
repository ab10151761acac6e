import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { getHost } from "../../app/get-host.js";
import { toProtoHost } from "../host-mapper.js";
import { OPERATOR, requireAdminOrOperator } from "../request-meta.js";

export function getHostHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.GetHostRequest, hostsV1.GetHostResponse>(
    "GetHost",
    // Operators read the result of a check they ran (proximityctl hosts check); never credentials.
    { callers: ["api-gateway", OPERATOR] },
    async (req, ctx) => {
      requireAdminOrOperator(ctx);
      return { host: toProtoHost(await getHost(deps.db, req.id)) };
    },
  );
}
