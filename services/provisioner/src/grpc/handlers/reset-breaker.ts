import type { HandlerFactory } from "@proximity/grpc";
import type { provisionerV1 } from "@proximity/proto";
import type { BreakerRegistry } from "@proximity/proxmox";
import { resetBreaker } from "../../app/reset-breaker.js";
import { SRE_ONLY } from "../callers.js";

/** ResetBreaker: operators only; resets the answering process's breaker (breakers are per process). */
export function resetBreakerHandler(
  h: HandlerFactory,
  breakers: Pick<BreakerRegistry, "reset">,
  replica: string,
) {
  return h.unary<provisionerV1.ResetBreakerRequest, provisionerV1.ResetBreakerResponse>(
    "ResetBreaker",
    { callers: SRE_ONLY },
    async (req, ctx) => {
      const previous = resetBreaker(breakers, req.hostId, replica);
      ctx.log.warn(
        { hostId: req.hostId, previousState: previous.state, replica },
        "breaker reset by an operator",
      );
      return { replica, previous };
    },
  );
}
