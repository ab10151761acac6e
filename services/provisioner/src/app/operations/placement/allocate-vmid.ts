/**
 * Choose the VMID of a new container under a per-host lease. Candidates start at Proxmox's
 * suggestion and skip every VMID the host has (as listed lately: guest-vmids.ts), every VMID Proximity holds in its journal, those
 * abandoned earlier in this operation and those another placement of this process is trying or
 * took lately; the first whose lease can be created wins and is recorded in the journal.
 */
import { findContainerOfOperation, vmidsOnHost } from "../../../db/container.repository.js";
import { findOperation, setOperationVmid } from "../../../db/operation.repository.js";
import { vmidCandidates } from "../../../domain/vmid-candidates.js";
import { guestListings } from "../../../infra/metrics.js";
import type { Attempt, HostConnection } from "../context.js";
import { NoFreeVmidError, OwnershipLostError } from "../errors.js";
import { runJournaledStep } from "../journal-step.js";
import { Step, type StepName } from "../step-names.js";

/** Candidates tried per attempt before giving up (each failed one is a lease held by someone else). */
const MAX_CANDIDATES = 32;

/**
 * Returns the operation's VMID, with `a.lease` set while the container is not created yet. A VMID
 * from an earlier attempt is kept if its lease can be re-taken or the journal's containers row
 * already holds it for us; otherwise it is abandoned and a new one chosen.
 */
export async function allocateVmid(
  a: Attempt,
  connection: HostConnection,
  excluded: ReadonlySet<number>,
  createStep: StepName,
): Promise<number> {
  const { db, leases } = a.deps;
  const { operationId, hostId } = a.request;
  // Only a later attempt can find a VMID chosen before (a first one starts with none: see
  // runJournaledStep); within an attempt, an abandoned choice is forgotten by abandonVmid.
  const recorded = a.attempt > 1 ? ((await findOperation(db, operationId))?.vmid ?? null) : null;
  // A choice is journaled done together with its VMID (one statement), so a later attempt with no
  // VMID recorded finds no done choice; should one be there anyway, it is chosen again, not trusted.
  if (a.attempt > 1 && recorded === null) await a.journal.forget([Step.allocateVmid], db);
  if (recorded !== null) {
    a.lease = (await leases.acquire(hostId, recorded, operationId, a.signal)) ?? undefined;
    const reserved = (await findContainerOfOperation(db, operationId))?.vmid === recorded;
    if (a.lease || reserved) {
      // The choice may have been journaled just before a crash that left the step "running".
      a.journal.done(Step.allocateVmid, String(recorded));
      return recorded;
    }
    a.log.warn({ vmid: recorded }, "the lease on the journaled VMID was taken over; choosing another");
    await abandonVmid(a, recorded, createStep);
  }
  const detail = await runJournaledStep(
    a,
    Step.allocateVmid,
    `Reserving a container ID on ${connection.hostName}`,
    async () => {
      const vmid = await leaseFreeVmid(a, connection, excluded);
      // Recorded with the create step's running (the next journal write), before anything is
      // created on it; lost with a crash before that, the lease frees it after its TTL.
      a.journal.chooseVmid(vmid);
      return String(vmid);
    },
    // A retry reads the operation's VMID, never this step's running: one statement fewer. A worker
    // that lost its claim meanwhile may take a lease, which expires; its next write is refused.
    { journalRunning: false },
  );
  return Number(detail);
}

/** Forgets a VMID the operation may no longer use: the journal's choice and the steps tied to it. */
export async function abandonVmid(a: Attempt, vmid: number, createStep: StepName): Promise<void> {
  const { db } = a.deps;
  await a.lease
    ?.release()
    .catch((err: unknown) => a.log.warn({ err, vmid }, "could not release the VMID lease"));
  a.lease = undefined;
  await db.transaction().execute(async (trx) => {
    if (!(await setOperationVmid(trx, a.request.operationId, a.claim, null)))
      throw new OwnershipLostError("Another worker took the operation over; stopping");
    await a.journal.forget([Step.allocateVmid, createStep], trx);
  });
}

async function leaseFreeVmid(
  a: Attempt,
  connection: HostConnection,
  excluded: ReadonlySet<number>,
): Promise<number> {
  const { operationId, hostId } = a.request;
  const [suggested, guests, held] = await Promise.all([
    connection.pve.nextId(),
    // Shared with this process's other placements on the host for a moment (guest-vmids.ts).
    a.deps.guestVmids.of(hostId, async () => {
      const guests = await connection.pve.clusterResources("vm");
      guestListings.inc({ host: hostId });
      return guests.flatMap((g) => (g.vmid === undefined ? [] : [g.vmid]));
    }),
    vmidsOnHost(a.deps.db, hostId),
  ]);
  const heldHere = new Set(held);
  // A candidate another placement of this process is trying or took lately is skipped as the walk
  // reaches it (placements at once would otherwise all try the same VMIDs in turn). The host's
  // guests are looked up where they are, not copied (the listing is shared and may be long).
  const skip = (vmid: number) =>
    excluded.has(vmid) ||
    heldHere.has(vmid) ||
    guests.has(vmid) ||
    !a.deps.leases.claimCandidate(hostId, vmid);
  for (const vmid of vmidCandidates(suggested ?? 100, skip, MAX_CANDIDATES)) {
    a.lease = (await a.deps.leases.acquire(hostId, vmid, operationId, a.signal)) ?? undefined;
    if (a.lease) return vmid;
  }
  throw new NoFreeVmidError();
}
