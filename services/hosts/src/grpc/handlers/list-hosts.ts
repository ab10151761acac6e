import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { listHosts } from "../../db/host.repository.js";
import { toProtoHost } from "../host-mapper.js";
import { requireAdmin } from "../request-meta.js";

export function listHostsHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.ListHostsRequest, hostsV1.ListHostsResponse>(
    "ListHosts",
    // The provisioner lists hosts to observe their containers (no end user: a service's own work).
    { callers: ["api-gateway", "provisioner"] },
    async (_req, ctx) => {
      if (ctx.caller !== "provisioner") requireAdmin(ctx);
      return { items: (await listHosts(deps.db)).map(toProtoHost) };
    },
  );
}
