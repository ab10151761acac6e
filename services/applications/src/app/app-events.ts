import { addToOutbox, type EventDefinition, newTraceparent } from "@proximity/bus";
import type { applicationsEventsV1 } from "@proximity/proto";
import type { AppRow } from "../db/apps.table.js";
import type { ApplicationsDb } from "../db/database.js";

/** The app as public events describe it (after the change). */
export function appRef(app: AppRow): applicationsEventsV1.AppRef {
  return {
    appId: app.id,
    ownerId: app.owner_id,
    hostname: app.hostname,
    catalogId: app.catalog_id,
    hostId: app.host_id,
    node: app.node,
    vmid: app.vmid ?? 0,
  };
}

/** Adds an event about `app` to the outbox of the caller's transaction. */
export async function emit<T>(
  trx: ApplicationsDb,
  event: EventDefinition<T>,
  payload: T,
  app: Pick<AppRow, "id">,
  traceparent: string,
): Promise<void> {
  await addToOutbox(trx, event, payload, {
    source: "applications",
    traceparent: traceparent || newTraceparent(),
    subject: app.id,
  });
}
