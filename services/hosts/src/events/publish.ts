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

/**
 * Records HostConnectionChanged in the outbox of a transaction that changes what reaching the host
 * depends on (settings, credentials, node endpoints, a pinned SSH host key) or deletes the host:
 * each provisioner replica keeps the host's connection record until this event (or its age limit).
 */
export async function recordHostConnectionChanged(
  trx: Transaction<HostsDatabase>,
  hostId: string,
  traceparent: string,
): Promise<void> {
  await addToOutbox(
    trx,
    Events.HostConnectionChanged,
    { hostId },
    { source: SOURCE, traceparent, subject: hostId },
  );
}

/** Asks the provisioner to check a host; `checkId` correlates the HostChecked answer. */
export async function recordHostCheckRequested(
  trx: Transaction<HostsDatabase>,
  check: { checkId: string; hostId: string },
  traceparent: string,
): Promise<void> {
  await addToOutbox(trx, Events.HostCheckRequested, check, {
    source: SOURCE,
    traceparent,
    subject: check.hostId,
  });
}

export async function recordHostStatusChanged(
  trx: Transaction<HostsDatabase>,
  change: { hostId: string; previousStatus: string; status: string; reason: string },
  traceparent: string,
): Promise<void> {
  await addToOutbox(trx, Events.HostStatusChanged, change, {
    source: SOURCE,
    traceparent,
    subject: change.hostId,
  });
}

export async function recordNodeStatusChanged(
  trx: Transaction<HostsDatabase>,
  change: { hostId: string; node: string; previousStatus: string; status: string },
  traceparent: string,
): Promise<void> {
  await addToOutbox(trx, Events.NodeStatusChanged, change, {
    source: SOURCE,
    traceparent,
    subject: change.hostId,
  });
}
