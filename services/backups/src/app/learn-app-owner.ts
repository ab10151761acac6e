import { findAppOwner } from "../db/app-owner.repository.js";
import { type BackupsDeps, type Caller, onBehalfOf } from "./deps.js";
import { recordAppOwner } from "./record-app-owner.js";

/**
 * Owners are learnt from the applications service's events, which trail its answers by a relay
 * poll and a consumer hop: a user who configures backups of an app the moment it was deployed
 * would find it unknown here. For an app this service has not heard of, the applications service
 * is asked directly, as the caller (it decides who may see the app), and its owner is recorded as
 * the app events would record it. A known app (deleted or not) is never asked about again.
 */
export async function learnAppOwner(deps: BackupsDeps, appId: string, caller: Caller): Promise<void> {
  if (await findAppOwner(deps.db, appId)) return;
  const app = await deps.applications.getApp(appId, onBehalfOf(caller));
  if (!app?.ownerId) return;
  await deps.db.transaction().execute((trx) => recordAppOwner(trx, app.id, app.ownerId));
  caller.log.info({ appId }, "app owner learnt from the applications service");
}
