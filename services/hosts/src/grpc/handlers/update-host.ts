import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { updateHost } from "../../app/update-host.js";
import { toProtoHost } from "../host-mapper.js";
import { requestMeta, requireAdmin } from "../request-meta.js";

export function updateHostHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.UpdateHostRequest, hostsV1.UpdateHostResponse>(
    "UpdateHost",
    { callers: ["api-gateway"] },
    async (req, ctx) => {
      requireAdmin(ctx);
      return { host: toProtoHost(await updateHost(deps, req, requestMeta(ctx))) };
    },
  );
}
