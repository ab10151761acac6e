import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { resolvePlacement } from "../../app/resolve-placement.js";

export function resolvePlacementHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.ResolvePlacementRequest, hostsV1.ResolvePlacementResponse>(
    "ResolvePlacement",
    { callers: ["applications"] },
    (req) => resolvePlacement(deps.db, { hostId: req.hostId, node: req.node }),
  );
}
