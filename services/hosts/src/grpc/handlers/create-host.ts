import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import { createHost } from "../../app/create-host.js";
import type { HostsDeps } from "../../app/deps.js";
import { toProtoHost } from "../host-mapper.js";
import { requestMeta, requireAdmin } from "../request-meta.js";

export function createHostHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.CreateHostRequest, hostsV1.CreateHostResponse>(
    "CreateHost",
    { callers: ["api-gateway"] },
    async (req, ctx) => {
      requireAdmin(ctx);
      return { host: toProtoHost(await createHost(deps, req, requestMeta(ctx))) };
    },
  );
}
