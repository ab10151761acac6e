import { notificationsOf } from "@proximity/db";
import type { GatewayDb } from "../db/database.js";
import type { VerifiedCache } from "./verified-cache.js";

/** The notice channel of migrations 0007 and 0008: `<schema>_credentials`. */
export const CREDENTIAL_CHANGES_CHANNEL_SUFFIX = "_credentials";

/**
 * Empties `caches` on each of the database's credential change notices, and keeps them serving
 * nothing while the channel is down. Returns how to stop listening; undefined when the database
 * gives no notifications (a Kysely instance not made by createDatabase): the caches then never
 * serve anything.
 */
export function listenForCredentialChanges(
  db: GatewayDb,
  caches: readonly VerifiedCache<unknown>[],
): (() => Promise<void>) | undefined {
  const notifications = notificationsOf(db);
  if (!notifications) return undefined;
  return notifications.listen(
    `${notifications.schema}${CREDENTIAL_CHANGES_CHANNEL_SUFFIX}`,
    () => {
      for (const cache of caches) cache.invalidate();
    },
    (listening) => {
      for (const cache of caches) cache.setListening(listening);
    },
  );
}
