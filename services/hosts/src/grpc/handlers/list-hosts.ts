import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { listHosts } from "../../db/host.repository.js";
import { toProtoHost } from "../host-mapper.js";
import { requireAdmin } from "../request-meta.js";

export function listHostsHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.ListHostsRequest, hostsV1.ListHostsResponse>(
    "ListHosts",
    { callers: ["api-gateway"] },
    async (_req, ctx) => {
      requireAdmin(ctx);
      return { items: (await listHosts(deps.db)).map(toProtoHost) };
    },
  );
}
