import { randomUUID } from "node:crypto";
import type { hostsV1 } from "@proximity/proto";
import { findHostById, type HostWithNodes, insertHost } from "../db/host.repository.js";
import { credentialSecretNames, type HostCredentials } from "../domain/new-host.js";
import { validateCreateHost } from "../domain/validate-create-host.js";
import { recordHostRegistered } from "../events/publish.js";
import { declareChangeActor } from "./declare-change-actor.js";
import type { HostsDeps } from "./deps.js";
import type { ChangeMeta, RequestMeta } from "./ports.js";
import { recordHostChange } from "./record-host-change.js";

/**
 * Registers a host. Credentials are written to the secrets service first, under the
 * pre-generated host id, then the host, its nodes and HostRegistered commit in one transaction.
 * If anything fails the secrets are removed again, so no host exists without its credentials
 * and (short of a crash in between) no credentials exist without their host. A crash leaves at
 * worst unreferenced secrets under an id no host will ever have. The registration is audited in
 * the same transaction.
 */
export async function createHost(
  deps: HostsDeps,
  req: hostsV1.CreateHostRequest,
  meta: ChangeMeta,
): Promise<HostWithNodes> {
  const host = validateCreateHost(req, deps.policy);
  const id = randomUUID();
  const names = credentialSecretNames(id);
  try {
    await writeCredentials(deps, names, host.credentials, meta);
    await deps.db.transaction().execute(async (trx) => {
      await declareChangeActor(trx, meta);
      await insertHost(trx, { ...host, id, apiSecretName: names.api, sshSecretName: names.ssh });
      await recordHostRegistered(trx, { id, name: host.name }, meta.traceparent);
      await recordHostChange(
        trx,
        {
          action: "created",
          hostId: id,
          hostName: host.name,
          before: null,
          after: host,
          credentials: host.credentials,
        },
        meta,
      );
    });
  } catch (err) {
    await discardCredentials(deps, names, meta);
    throw err;
  }
  meta.log.info({ hostId: id, host: host.name }, "host registered");
  const created = await findHostById(deps.db, id);
  if (!created) throw new Error(`host ${id} vanished right after it was created`);
  return created;
}

async function writeCredentials(
  deps: HostsDeps,
  names: { api: string; ssh: string },
  credentials: HostCredentials,
  meta: RequestMeta,
): Promise<void> {
  await deps.credentials.put(names.api, Buffer.from(credentials.apiSecret, "utf8"), meta);
  await deps.credentials.put(names.ssh, Buffer.from(JSON.stringify(credentials.ssh), "utf8"), meta);
}

/** Best effort: both names, whichever were written (a put may have landed despite an error). */
async function discardCredentials(
  deps: HostsDeps,
  names: { api: string; ssh: string },
  meta: RequestMeta,
): Promise<void> {
  for (const name of [names.api, names.ssh]) {
    try {
      await deps.credentials.remove(name, meta);
    } catch (err) {
      meta.log.error(
        { err, secretName: name },
        "could not remove the credentials of a failed host registration",
      );
    }
  }
}
