import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import type { DeadLetterDeps } from "../../app/dead-letter-deps.js";
import { explainDeadLetter } from "../../app/get-dead-letter.js";
import { RPC_CALLERS } from "../callers.js";
import { toProtoDeadLetter } from "../dead-letter-to-proto.js";

/** GetDeadLetter: the record and what the provisioner knows of its operation; never the payload. */
export function getDeadLetterHandler(h: HandlerFactory, deps: DeadLetterDeps) {
  return h.unary<provisionerV1.GetDeadLetterRequest, provisionerV1.GetDeadLetterResponse>(
    "GetDeadLetter",
    { callers: RPC_CALLERS },
    async (req) => {
      const d = await explainDeadLetter(deps, req.seq);
      return {
        deadLetter: toProtoDeadLetter(d.record.view, d.replay?.replayed_at),
        reason: d.record.reason,
        operationId: d.request?.operationId ?? "",
        appId: d.request?.appId ?? "",
        operationStatus: d.operation?.status ?? "",
        replayable: d.decision.replayable,
        notReplayableReason: d.decision.replayable ? "" : d.decision.reason,
      };
    },
  );
}
