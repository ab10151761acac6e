import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import { deleteHost } from "../../app/delete-host.js";
import type { HostsDeps } from "../../app/deps.js";
import { requestMeta, requireAdmin } from "../request-meta.js";

export function deleteHostHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.DeleteHostRequest, hostsV1.DeleteHostResponse>(
    "DeleteHost",
    { callers: ["api-gateway"] },
    async (req, ctx) => {
      requireAdmin(ctx);
      await deleteHost(deps, req.id, requestMeta(ctx));
      return {};
    },
  );
}
