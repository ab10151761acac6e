import { notificationsOf } from "@proximity/db";
import type { GatewayDb } from "../db/database.js";
import { createTokenCache, type TokenCache } from "./token-cache.js";

/** The notice channel of migration 0007: `<schema>_credentials`. */
export const CREDENTIAL_CHANGES_CHANNEL_SUFFIX = "_credentials";

/** Verified tokens kept at most per replica (a few MiB). */
const MAX_CACHED_TOKENS = 10_000;

/**
 * A token cache that hears the database's credential change notices: emptied on each, and
 * serving nothing while the channel is down. Undefined when turned off (`ttlMs` 0) or when the
 * database gives no notifications (a Kysely instance not made by createDatabase).
 */
export function listenedTokenCache(
  db: GatewayDb,
  ttlMs: number,
): { cache: TokenCache; stop: () => Promise<void> } | undefined {
  const notifications = notificationsOf(db);
  if (ttlMs <= 0 || !notifications) return undefined;
  const cache = createTokenCache({ ttlMs, maxEntries: MAX_CACHED_TOKENS });
  const stop = notifications.listen(
    `${notifications.schema}${CREDENTIAL_CHANGES_CHANNEL_SUFFIX}`,
    () => cache.invalidate(),
    (listening) => cache.setListening(listening),
  );
  return { cache, stop };
}
