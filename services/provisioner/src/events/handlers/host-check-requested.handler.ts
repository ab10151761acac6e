/** HostCheckRequested → check the host and record HostChecked (once per request event). */
import { Durables, Events, processOnce, type Subscription, subscribe } from "@proximity/bus";
import type { hostsEventsV1 } from "@proximity/proto";
import { checkHost, type HostCheckDeps } from "../../app/check-host.js";
import type { Db } from "../../db/database.js";
import { addHostChecked } from "../publish.js";

/** Durable consumer of check requests (shared by all provisioner replicas). */
export const HOST_CHECKS_CONSUMER = Durables.provisionerHostChecks.name;

export function hostCheckRequestedSubscription(
  deps: HostCheckDeps & { readonly db: Db },
): Subscription<hostsEventsV1.HostCheckRequested> {
  return subscribe(Events.HostCheckRequested, async (request, ctx) => {
    const report = await checkHost(deps, request, { traceparent: ctx.traceparent }, ctx.log);
    if (!report) return;
    // The inbox makes a redelivery after a commit (crash before the ack) report only once.
    await processOnce(deps.db, HOST_CHECKS_CONSUMER, ctx.eventId, (trx) =>
      addHostChecked(trx, report, ctx.traceparent),
    );
  });
}
