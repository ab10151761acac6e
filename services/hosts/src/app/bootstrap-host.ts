import { newTraceparent } from "@proximity/bus";
import { ConfigError } from "@proximity/config";
import { AlreadyExistsError, isTransient, ValidationError } from "@proximity/errors";
import type { Logger } from "@proximity/logger";
import { hostsV1 } from "@proximity/proto";
import { findHostByName } from "../db/host.repository.js";
import { createHost } from "./create-host.js";
import type { HostsDeps } from "./deps.js";
import { updateHost } from "./update-host.js";

/** Who the audit trail names for changes made from BOOTSTRAP_HOST_JSON. */
export const BOOTSTRAP_ACTOR = "system:bootstrap";

export interface BootstrapOptions {
  /** How long to keep retrying while a peer (the secrets service) is unavailable, default 30 s. */
  readonly retryForMs?: number;
  readonly retryEveryMs?: number;
}

/**
 * Registers the host of BOOTSTRAP_HOST_JSON (proto3 JSON of a CreateHostRequest) through the same
 * use-case as CreateHost; if a host with its name exists it is brought up to the declared settings
 * and credentials through UpdateHost (the configuration is the source of truth: a re-created dev
 * simulator with new keys must not leave a stale host behind). Idempotent across restarts; a racing
 * replica winning the unique name is fine. Retries while the secrets service is not up yet.
 * @returns whether this call created or updated the host.
 */
export async function bootstrapHost(
  deps: HostsDeps,
  json: unknown,
  log: Logger,
  options: BootstrapOptions = {},
): Promise<"created" | "updated"> {
  const request = hostsV1.CreateHostRequest.fromJSON(json ?? {});
  const deadline = Date.now() + (options.retryForMs ?? 30_000);
  for (;;) {
    const meta = { traceparent: newTraceparent(), log, actor: BOOTSTRAP_ACTOR };
    try {
      const existing = await findHostByName(deps.db, request.name);
      if (existing) {
        await updateHost(deps, { ...request, id: existing.id, insecureHttp: request.insecureHttp }, meta);
        return "updated";
      }
      await createHost(deps, request, meta);
      return "created";
    } catch (err) {
      if (err instanceof AlreadyExistsError) continue; // a racing replica created it: update instead
      if (err instanceof ValidationError)
        throw new ConfigError(err.fieldErrors.map((f) => `BOOTSTRAP_HOST_JSON: ${f.field} ${f.message}`));
      if (!isTransient(err) || Date.now() > deadline) throw err;
      log.warn({ err }, "bootstrap host not registered yet; retrying");
      await new Promise((r) => setTimeout(r, options.retryEveryMs ?? 1_000));
    }
  }
}
