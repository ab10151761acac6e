/**
 * HostConnectionChanged → this replica reads the host's record again at its next operation
 * (host-records.ts) and retires the host's session (host-sessions.ts). Read by every replica (a
 * broadcast consumer): each keeps its own records and sessions.
 */
import { Broadcasts, Events, type Subscription, subscribe } from "@proximity/bus";
import type { hostsEventsV1 } from "@proximity/proto";
import type { HostRecords } from "../../app/operations/host-records.js";
import type { HostSessions } from "../../app/operations/host-sessions.js";
import { hostConnectionChanges, hostRecordDrops } from "../../infra/metrics.js";

/** The broadcast consumer's name (logs, dead letters). */
export const HOST_CONNECTIONS_CONSUMER = Broadcasts.provisionerHostConnections.name;

export function hostConnectionChangedSubscription(deps: {
  readonly hostRecords: HostRecords;
  readonly hostSessions: Pick<HostSessions, "retire">;
}): Subscription<hostsEventsV1.HostConnectionChanged> {
  return subscribe(Events.HostConnectionChanged, async ({ hostId }, ctx) => {
    if (deps.hostRecords.forget(hostId)) hostRecordDrops.inc({ reason: "host changed" });
    // Its credentials leave memory too once no operation uses them (they may be replaced or gone).
    deps.hostSessions.retire(hostId);
    hostConnectionChanges.inc();
    ctx.log.info({ hostId }, "host record and session dropped: the host changed");
  });
}
