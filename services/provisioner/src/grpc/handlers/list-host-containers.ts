import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import { type ListHostContainersDeps, listHostContainers } from "../../app/list-host-containers.js";

/** ListHostContainers: discovery for the applications service (adopting existing containers). */
export function listHostContainersHandler(h: HandlerFactory, deps: ListHostContainersDeps) {
  return h.unary<provisionerV1.ListHostContainersRequest, provisionerV1.ListHostContainersResponse>(
    "ListHostContainers",
    { callers: ["applications"] },
    async (req, ctx) => ({
      items: await listHostContainers(deps, req.hostId, { traceparent: ctx.traceparent }, ctx.log),
    }),
  );
}
