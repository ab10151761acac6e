import type { HandlerFactory } from "@proximity/grpc";
import type { hostsV1 } from "@proximity/proto";
import type { HostsDeps } from "../../app/deps.js";
import { listHostNodes } from "../../app/list-nodes.js";
import { toProtoNode } from "../host-mapper.js";
import { requireAdmin } from "../request-meta.js";

export function listNodesHandler(h: HandlerFactory, deps: HostsDeps) {
  return h.unary<hostsV1.ListNodesRequest, hostsV1.ListNodesResponse>(
    "ListNodes",
    { callers: ["api-gateway"] },
    async (req, ctx) => {
      requireAdmin(ctx);
      return { items: (await listHostNodes(deps.db, req.hostId)).map(toProtoNode) };
    },
  );
}
