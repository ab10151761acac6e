import { type Stats, statSync } from "node:fs";
import { ConfigError } from "@proximity/config";
import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import { readKeyRingFile } from "../crypto/key-ring.js";
import type { LocalKeyProvider } from "../crypto/local-key-provider.js";
import type { SecretsDatabase } from "../db/database.js";
import { assertRingCoversKeysInUse } from "./key-ring-guard.js";

export interface KeyRingReloaderOptions {
  readonly path: string;
  readonly provider: LocalKeyProvider;
  readonly db: Kysely<SecretsDatabase>;
  readonly logger: Logger;
  /** How often the file's metadata is checked. */
  readonly intervalMs: number;
}

export type ReloadOutcome = "reloaded" | "unchanged" | "rejected";

export interface KeyRingReloader {
  /** Checks the file now; `force` re-reads it even when its metadata did not change (SIGHUP). */
  check(force?: boolean): Promise<ReloadOutcome>;
  stop(): void;
}

/**
 * Online KEK introduction: polls SECRETS_KEK_FILE's metadata and swaps the provider's ring when
 * the file changed, so a new current key takes effect without a restart. Polling (not fs.watch)
 * because editors and `mv` replace the inode, which inotify watches lose. A ring that is
 * malformed or lacks a key still in use is logged and ignored: the old ring stays, never a
 * plaintext fallback. The rejected file's signature is remembered so it is not re-logged every
 * tick; saving it again (or SIGHUP) retries.
 */
export function startKeyRingReloader(options: KeyRingReloaderOptions): KeyRingReloader {
  const { path, provider, db, logger } = options;
  let seen = signature(path);
  let queue: Promise<unknown> = Promise.resolve();

  const reload = async (force: boolean): Promise<ReloadOutcome> => {
    const before = seen;
    const now = signature(path);
    if (!force && now === before) return "unchanged";
    seen = now;
    const previous = provider.ring;
    try {
      const ring = readKeyRingFile(path);
      // The previous current key stays: puts and rewraps in flight may have just used it.
      await assertRingCoversKeysInUse(db, [...ring.keys.keys()], [previous.current]);
      provider.useRing(ring);
      logger.info(
        { path, current: ring.current, keyIds: [...ring.keys.keys()], previous: previous.current },
        "key ring reloaded",
      );
      return "reloaded";
    } catch (err) {
      // A bad ring is remembered; anything else (database unreachable) is retried next tick.
      if (!(err instanceof ConfigError)) seen = before;
      logger.error(
        { path, err, current: previous.current },
        "key ring change rejected; keeping the old ring",
      );
      return "rejected";
    }
  };

  // One check at a time: a tick and a SIGHUP must not swap rings out of order.
  const check = (force = false): Promise<ReloadOutcome> => {
    const next = queue.then(() => reload(force));
    queue = next;
    return next;
  };

  const timer = setInterval(() => void check(), options.intervalMs);
  timer.unref();
  return { check, stop: () => clearInterval(timer) };
}

/** Changes whenever the file is rewritten or replaced; "missing" while it is absent. */
function signature(path: string): string {
  let s: Stats;
  try {
    s = statSync(path);
  } catch {
    return "missing";
  }
  return `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}
