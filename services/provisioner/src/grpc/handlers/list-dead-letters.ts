import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import type { JetStreamManager } from "nats";
import { listDeadLetters } from "../../app/list-dead-letters.js";
import { RPC_CALLERS } from "../callers.js";

export function listDeadLettersHandler(h: HandlerFactory, bus: { jsm: JetStreamManager; ns: string }) {
  return h.unary<provisionerV1.ListDeadLettersRequest, provisionerV1.ListDeadLettersResponse>(
    "ListDeadLetters",
    { callers: RPC_CALLERS },
    async (req) => ({ items: await listDeadLetters(bus.jsm, bus.ns, req.limit) }),
  );
}
