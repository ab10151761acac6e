import { addToOutbox, type EventDefinition, newTraceparent, type OutboxRecord } from "@proximity/bus";
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

/**
 * An event recorded by the statement that changes the app is made before it, from the app as the
 * change will leave it (`expected`): the fields its AppRef reports change only by that statement
 * while an operation holds the app. Should that ever not hold for `written` (the row the statement
 * returned), this throws, so the transaction rolls back rather than publish an event that lies.
 */
export function assertDescribes(expected: AppRow, written: AppRow): void {
  const said = appRef(expected);
  const stored = appRef(written);
  for (const field of Object.keys(said) as (keyof typeof said)[]) {
    if (said[field] !== stored[field]) {
      throw new Error(`app ${written.id}: ${field} is ${stored[field]}, but its event says ${said[field]}`);
    }
  }
}

/** An event about `app`, to record in the outbox (by emit, or by the statement of the change). */
export function appEvent<T>(
  event: EventDefinition<T>,
  payload: T,
  app: Pick<AppRow, "id">,
  traceparent: string,
): OutboxRecord<T> {
  return {
    event,
    payload,
    meta: { source: "applications", traceparent: traceparent || newTraceparent(), subject: app.id },
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
  const record = appEvent(event, payload, app, traceparent);
  await addToOutbox(trx, record.event, record.payload, record.meta);
}
