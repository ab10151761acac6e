import type { applicationsV1 } from "@proximity/proto";
import { reinstateHost as reinstate } from "../../app/retire-host.js";
import type { HandlerDeps } from "../handler-deps.js";

/** Service-to-service only: the hosts service, when a host's deletion did not go through. */
export function reinstateHost({
  h,
  db,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["reinstateHost"] {
  return h.unary<applicationsV1.ReinstateHostRequest, applicationsV1.ReinstateHostResponse>(
    "ReinstateHost",
    { callers: ["hosts"] },
    async (req, ctx) => {
      await reinstate(db, req.hostId);
      ctx.log.info({ hostId: req.hostId }, "host reinstated");
      return {};
    },
  );
}
