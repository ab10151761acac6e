import type { MigrationSet } from "@proximity/db";
import * as initial from "./0001_initial.js";

/** Every migration of the hosts schema, in order. */
export const hostsMigrations: MigrationSet = {
  "0001_initial": initial,
};
