import { NotFoundError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import { findHostById, type HostWithNodes, lockHost, updateHostSettings } from "../db/host.repository.js";
import type { CredentialUpdate } from "../domain/new-host.js";
import { validateUpdateHost } from "../domain/validate-update-host.js";
import { recordHostConnectionChanged } from "../events/publish.js";
import { declareChangeActor } from "./declare-change-actor.js";
import type { HostsDeps } from "./deps.js";
import { assertHostId } from "./host-id.js";
import type { ChangeMeta } from "./ports.js";
import { recordHostChange } from "./record-host-change.js";

/**
 * Changes a host's settings (name and auth mode are immutable). A change of where the host is
 * reached or how it is verified needs the matching credentials in the same request
 * (domain/trust-changes.ts). Everything happens under the lock of the host row, in this order:
 * check the request against the locked settings, replace the stored secrets (under the names the
 * host already references), save the settings, audit, commit. No other change of the host can
 * commit between the check and the commit, so credentials always go with the settings they were
 * checked against: a concurrent re-point either commits first (and this request is checked against
 * it) or waits. A failed secret write changes nothing here; a retry of the whole call is safe
 * (putting the same secret again is harmless). If the commit itself fails after the write, the new
 * credentials stay with the settings the admin had set before (never with anyone else's) until
 * the retry.
 */
export async function updateHost(
  deps: HostsDeps,
  req: hostsV1.UpdateHostRequest,
  meta: ChangeMeta,
): Promise<HostWithNodes> {
  assertHostId(req.id);
  const { name, credentials } = await deps.db.transaction().execute(async (trx) => {
    await declareChangeActor(trx, meta);
    const locked = await lockHost(trx, req.id);
    if (!locked) throw new NotFoundError("Host not found");
    // Refused before any secret is written.
    const { before, settings, credentials } = validateUpdateHost(req, locked, deps.policy);
    await replaceCredentials(deps, locked, credentials, meta);
    await updateHostSettings(trx, locked.id, settings);
    // Every update moves the host's updated_at: the provisioner's replicas read its record again.
    await recordHostConnectionChanged(trx, locked.id, meta.traceparent);
    await recordHostChange(
      trx,
      { action: "updated", hostId: locked.id, hostName: locked.name, before, after: settings, credentials },
      meta,
    );
    return { name: locked.name, credentials };
  });
  meta.log.info(
    { hostId: req.id, host: name, credentialsReplaced: Object.keys(credentials) },
    "host updated",
  );
  const updated = await findHostById(deps.db, req.id);
  if (!updated) throw new NotFoundError("Host not found");
  return updated;
}

/** Writes the credentials given to the secrets service (called with the host row locked). */
async function replaceCredentials(
  deps: HostsDeps,
  host: HostWithNodes,
  credentials: CredentialUpdate,
  meta: ChangeMeta,
): Promise<void> {
  if (credentials.apiSecret !== undefined)
    await deps.credentials.put(host.api_secret_name, Buffer.from(credentials.apiSecret, "utf8"), meta);
  if (credentials.ssh !== undefined)
    await deps.credentials.put(
      host.ssh_secret_name,
      Buffer.from(JSON.stringify(credentials.ssh), "utf8"),
      meta,
    );
}
