import { ConfigError } from "@proximity/config";
import type { Kysely } from "kysely";
import type { SecretsDatabase } from "../db/database.js";
import { countVersionsByKek } from "../db/key-usage.repository.js";

/**
 * Refuses a key ring that lacks a KEK still wrapping stored data keys: retiring a key before
 * RewrapDataKeys reached remaining = 0 would make those secrets unreadable, so it is caught when
 * the ring is loaded (start-up or reload) rather than on some later read.
 * `mustKeep` adds ids that in-flight calls may still be using (the previous current key).
 */
export async function assertRingCoversKeysInUse(
  db: Kysely<SecretsDatabase>,
  ringKeyIds: readonly string[],
  mustKeep: readonly string[] = [],
): Promise<void> {
  const have = new Set(ringKeyIds);
  const problems: string[] = [];
  for (const [id, versions] of await countVersionsByKek(db))
    if (!have.has(id))
      problems.push(
        `SECRETS_KEK_FILE: key "${id}" still wraps ${versions} secret version(s); run RewrapDataKeys before removing it`,
      );
  for (const id of mustKeep)
    if (!have.has(id) && !problems.some((p) => p.includes(`"${id}"`)))
      problems.push(
        `SECRETS_KEK_FILE: key "${id}" is the current key; make another key current (and re-wrap) before removing it`,
      );
  if (problems.length) throw new ConfigError(problems);
}
