import type { MigrationSet } from "@proximity/db";
import * as journal from "./0001_journal.js";
import * as deadLetterReplays from "./0002_dead_letter_replays.js";

/** Every migration of the provisioner schema, in order. */
export const provisionerMigrations: MigrationSet = {
  "0001_journal": journal,
  "0002_dead_letter_replays": deadLetterReplays,
};

/**
 * @deprecated Use `provisionerMigrations`. Kept only while services/provisioner/test/migrations.test.ts
 * (owned by another change in flight) still imports this name.
 */
export const migrations = provisionerMigrations;
