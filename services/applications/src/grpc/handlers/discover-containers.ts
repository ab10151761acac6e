import type { applicationsV1 } from "@proximity/proto";
import { discoverContainers as discover } from "../../app/discover-containers.js";
import { GATEWAY_ONLY, requireAdmin } from "../call-guards.js";
import type { HandlerDeps } from "../handler-deps.js";

export function discoverContainers(
  deps: HandlerDeps,
): applicationsV1.ApplicationsServiceServer["discoverContainers"] {
  return deps.h.unary<applicationsV1.DiscoverContainersRequest, applicationsV1.DiscoverContainersResponse>(
    "DiscoverContainers",
    { callers: GATEWAY_ONLY },
    async (req, ctx) => {
      requireAdmin(ctx);
      const containers = await discover(deps, req.hostId, ctx.traceparent);
      return {
        items: containers.map((c) => ({
          node: c.node,
          vmid: c.vmid,
          name: c.name,
          status: c.status,
          cores: c.cores,
          maxMemBytes: c.maxMemBytes,
          maxDiskBytes: c.maxDiskBytes,
          tags: c.tags,
        })),
      };
    },
  );
}
