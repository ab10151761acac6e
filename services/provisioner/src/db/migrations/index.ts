import type { MigrationSet } from "@proximity/db";
import * as journal from "./0001_journal.js";

/** Every migration of the provisioner schema, in order. */
export const migrations: MigrationSet = {
  "0001_journal": journal,
};
