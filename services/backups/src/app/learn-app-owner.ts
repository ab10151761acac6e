import { findAppOwner } from "../db/app-owner.repository.js";
import { appFactsOf } from "./app-facts.js";
import { type BackupsDeps, type Caller, onBehalfOf } from "./deps.js";
import { recordAppOwner } from "./record-app-owner.js";

/**
 * Owners are learnt from the applications service's events, which trail its answers by a relay
 * poll and a consumer hop: a user who configures backups of an app the moment it was deployed
 * would find it unknown here. For an app this service has not heard of, the applications service
 * is asked directly, as the caller (it decides who may see the app), and its owner is recorded as
 * the app events would record it. A known app is not asked about again, unless it is live and its
 * names are unknown (recorded before they were kept, migration 0005): then the same lookup names
 * it, best effort (the answer about a known app never waits on the applications service).
 */
export async function learnAppOwner(deps: BackupsDeps, appId: string, caller: Caller): Promise<void> {
  const known = await findAppOwner(deps.db, appId);
  if (!known) return record(deps, appId, caller);
  if (known.deleted || known.named) return;
  await record(deps, appId, caller).catch((err: unknown) =>
    caller.log.warn({ err, appId }, "could not learn the app's names from the applications service"),
  );
}

async function record(deps: BackupsDeps, appId: string, caller: Caller): Promise<void> {
  const app = await deps.applications.getApp(appId, onBehalfOf(caller));
  if (!app?.ownerId) return;
  await deps.db.transaction().execute((trx) => recordAppOwner(trx, appFactsOf(app)));
  caller.log.info({ appId }, "app owner and names learnt from the applications service");
}
