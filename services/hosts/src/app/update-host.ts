import { NotFoundError } from "@proximity/errors";
import type { hostsV1 } from "@proximity/proto";
import { findHostById, type HostWithNodes, updateHostSettings } from "../db/host.repository.js";
import { validateUpdateHost } from "../domain/validate-update-host.js";
import type { HostsDeps } from "./deps.js";
import { assertHostId } from "./host-id.js";
import type { RequestMeta } from "./ports.js";

/**
 * Changes a host's settings (name and auth mode are immutable). Credentials given replace the
 * stored secrets in the secrets service, under the names the host already references, before the
 * settings are saved: a failed secret write changes nothing here, and a retry of the whole call
 * is safe (putting the same secret again is harmless).
 */
export async function updateHost(
  deps: HostsDeps,
  req: hostsV1.UpdateHostRequest,
  meta: RequestMeta,
): Promise<HostWithNodes> {
  assertHostId(req.id);
  const current = await findHostById(deps.db, req.id);
  if (!current) throw new NotFoundError("Host not found");
  const { settings, credentials } = validateUpdateHost(req, current);
  if (credentials.apiSecret !== undefined)
    await deps.credentials.put(current.api_secret_name, Buffer.from(credentials.apiSecret, "utf8"), meta);
  if (credentials.ssh !== undefined)
    await deps.credentials.put(
      current.ssh_secret_name,
      Buffer.from(JSON.stringify(credentials.ssh), "utf8"),
      meta,
    );
  await deps.db.transaction().execute((trx) => updateHostSettings(trx, current.id, settings));
  meta.log.info(
    { hostId: current.id, host: current.name, credentialsReplaced: Object.keys(credentials) },
    "host updated",
  );
  const updated = await findHostById(deps.db, current.id);
  if (!updated) throw new NotFoundError("Host not found");
  return updated;
}
