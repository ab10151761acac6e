import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import type { DeadLetterDeps } from "../../app/dead-letter-deps.js";
import { replayDeadLetter } from "../../app/replay-dead-letter.js";
import { SRE_ONLY } from "../callers.js";

/** ReplayDeadLetter: operators only (it makes the provisioner act again). */
export function replayDeadLetterHandler(h: HandlerFactory, deps: DeadLetterDeps) {
  return h.unary<provisionerV1.ReplayDeadLetterRequest, provisionerV1.ReplayDeadLetterResponse>(
    "ReplayDeadLetter",
    { callers: SRE_ONLY },
    (req, ctx) => replayDeadLetter(deps, req.seq, ctx),
  );
}
