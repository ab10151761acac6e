import { addToOutbox, Events } from "@proximity/bus";
import type { Transaction } from "kysely";
import type { HostsDatabase } from "../db/database.js";

const SOURCE = "hosts";

/** Records HostRegistered in the outbox of the transaction that inserts the host. */
export async function recordHostRegistered(
  trx: Transaction<HostsDatabase>,
  host: { id: string; name: string },
  traceparent: string,
): Promise<void> {
  await addToOutbox(
    trx,
    Events.HostRegistered,
    { hostId: host.id, name: host.name },
    { source: SOURCE, traceparent, subject: host.id },
  );
}

/** Records HostRemoved in the outbox of the transaction that deletes the host. */
export async function recordHostRemoved(
  trx: Transaction<HostsDatabase>,
  hostId: string,
  traceparent: string,
): Promise<void> {
  await addToOutbox(trx, Events.HostRemoved, { hostId }, { source: SOURCE, traceparent, subject: hostId });
}
