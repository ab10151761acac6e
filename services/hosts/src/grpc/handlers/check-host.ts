import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { requestHostCheck } from "../../app/request-host-check.js";
import { requestMeta, requireAdmin } from "../request-meta.js";

export function checkHostHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.CheckHostRequest, hostsV1.CheckHostResponse>(
    "CheckHost",
    { callers: ["api-gateway"] },
    async (req, ctx) => {
      requireAdmin(ctx);
      return { checkId: await requestHostCheck(deps.db, req.id, requestMeta(ctx)) };
    },
  );
}
