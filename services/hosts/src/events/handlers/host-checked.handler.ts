import { Durables, Events, processOnce, type Subscription, subscribe } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { Kysely } from "kysely";
import { recordCheckResult } from "../../app/record-check-result.js";
import type { HostsDatabase } from "../../db/database.js";

/** Durable consumer of check results (shared by all hosts replicas). */
export const HOST_CHECKS_CONSUMER = Durables.hostsHostChecks.name;

/** HostChecked → the host's status and node stats (once per event, through the inbox). */
export function hostCheckedSubscription(
  db: Kysely<HostsDatabase>,
  settings: { readonly recheckUnreachableMs: number },
): Subscription<provisionerEventsV1.HostChecked> {
  return subscribe(Events.HostChecked, async (report, ctx) => {
    await processOnce(db, HOST_CHECKS_CONSUMER, ctx.eventId, (trx) =>
      recordCheckResult(trx, report, { traceparent: ctx.traceparent, log: ctx.log }, settings),
    );
  });
}
