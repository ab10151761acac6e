import type { MigrationSet } from "@proximity/db";
import * as journal from "./0001_journal.js";
import * as deadLetterReplays from "./0002_dead_letter_replays.js";
import * as stepStartedAt from "./0003_step_started_at.js";

/** Every migration of the provisioner schema, in order. */
export const provisionerMigrations: MigrationSet = {
  "0001_journal": journal,
  "0002_dead_letter_replays": deadLetterReplays,
  "0003_step_started_at": stepStartedAt,
};
