import type { applicationsV1 } from "@proximity/proto";
import { countAppsOnHost as count } from "../../app/count-apps-on-host.js";
import type { HandlerDeps } from "../handler-deps.js";

/** Service-to-service only: the hosts service asks before deleting a host. */
export function countAppsOnHost({
  h,
  db,
}: HandlerDeps): applicationsV1.ApplicationsServiceServer["countAppsOnHost"] {
  return h.unary<applicationsV1.CountAppsOnHostRequest, applicationsV1.CountAppsOnHostResponse>(
    "CountAppsOnHost",
    { callers: ["hosts"] },
    async (req) => ({ count: await count(db, req.hostId) }),
  );
}
