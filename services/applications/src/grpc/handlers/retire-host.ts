import type { applicationsV1 } from "@proximity/proto";
import { retireHost as retire } from "../../app/retire-host.js";
import type { HandlerDeps } from "../handler-deps.js";

/** Service-to-service only: the hosts service, before it deletes a host. */
export function retireHost({ h, db }: HandlerDeps): applicationsV1.ApplicationsServiceServer["retireHost"] {
  return h.unary<applicationsV1.RetireHostRequest, applicationsV1.RetireHostResponse>(
    "RetireHost",
    { callers: ["hosts"] },
    async (req, ctx) => {
      await retire(db, req.hostId);
      ctx.log.info({ hostId: req.hostId }, "host retired: no more placements");
      return {};
    },
  );
}
