/**
 * HostConnectionChanged → this replica reads the host's record again at its next operation
 * (host-records.ts). Read by every replica (a broadcast consumer): each keeps its own records.
 */
import { Broadcasts, Events, type Subscription, subscribe } from "@proximity/bus";
import type { hostsEventsV1 } from "@proximity/proto";
import type { HostRecords } from "../../app/operations/host-records.js";
import { hostRecordDrops } from "../../infra/metrics.js";

/** The broadcast consumer's name (logs, dead letters). */
export const HOST_CONNECTIONS_CONSUMER = Broadcasts.provisionerHostConnections.name;

export function hostConnectionChangedSubscription(
  hostRecords: HostRecords,
): Subscription<hostsEventsV1.HostConnectionChanged> {
  return subscribe(Events.HostConnectionChanged, async ({ hostId }, ctx) => {
    hostRecords.forget(hostId);
    hostRecordDrops.inc({ reason: "host changed" });
    ctx.log.info({ hostId }, "host record dropped: the host changed");
  });
}
