import { NotFoundError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import { findHostById, type HostWithNodes, lockHost, updateHostSettings } from "../db/host.repository.js";
import { validateUpdateHost } from "../domain/validate-update-host.js";
import type { HostsDeps } from "./deps.js";
import { assertHostId } from "./host-id.js";
import type { ChangeMeta } from "./ports.js";
import { recordHostChange } from "./record-host-change.js";

/**
 * Changes a host's settings (name and auth mode are immutable). A change of where the host is
 * reached or how it is verified needs the matching credentials in the same request
 * (domain/trust-changes.ts). Credentials given replace the stored secrets in the secrets service,
 * under the names the host already references, before the settings are saved: a failed secret
 * write changes nothing here, and a retry of the whole call is safe (putting the same secret again
 * is harmless). The settings are then checked again against the host row locked in the saving
 * transaction, so a concurrent update can never slip a trust change past that check, and the
 * change is audited in the same transaction.
 */
export async function updateHost(
  deps: HostsDeps,
  req: hostsV1.UpdateHostRequest,
  meta: ChangeMeta,
): Promise<HostWithNodes> {
  assertHostId(req.id);
  const current = await findHostById(deps.db, req.id);
  if (!current) throw new NotFoundError("Host not found");
  // Refused before any secret is written.
  const { credentials } = validateUpdateHost(req, current, deps.policy);
  if (credentials.apiSecret !== undefined)
    await deps.credentials.put(current.api_secret_name, Buffer.from(credentials.apiSecret, "utf8"), meta);
  if (credentials.ssh !== undefined)
    await deps.credentials.put(
      current.ssh_secret_name,
      Buffer.from(JSON.stringify(credentials.ssh), "utf8"),
      meta,
    );
  await deps.db.transaction().execute(async (trx) => {
    const locked = await lockHost(trx, current.id);
    if (!locked) throw new NotFoundError("Host not found");
    const { before, settings } = validateUpdateHost(req, locked, deps.policy);
    await updateHostSettings(trx, locked.id, settings);
    await recordHostChange(
      trx,
      { action: "updated", hostId: locked.id, hostName: locked.name, before, after: settings, credentials },
      meta,
    );
  });
  meta.log.info(
    { hostId: current.id, host: current.name, credentialsReplaced: Object.keys(credentials) },
    "host updated",
  );
  const updated = await findHostById(deps.db, current.id);
  if (!updated) throw new NotFoundError("Host not found");
  return updated;
}
