import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import type { JetStreamManager } from "nats";
import { listDeadLetters } from "../../app/list-dead-letters.js";
import type { Db } from "../../db/database.js";
import { RPC_CALLERS } from "../callers.js";
import { toProtoDeadLetter } from "../dead-letter-to-proto.js";

export function listDeadLettersHandler(
  h: HandlerFactory,
  deps: { jsm: JetStreamManager; ns: string; db: Db },
) {
  return h.unary<provisionerV1.ListDeadLettersRequest, provisionerV1.ListDeadLettersResponse>(
    "ListDeadLetters",
    { callers: RPC_CALLERS },
    async (req) => ({
      items: (await listDeadLetters(deps, req.limit)).map((d) => toProtoDeadLetter(d, d.replayedAt)),
    }),
  );
}
