import type { MigrationSet } from "@proximity/db";
import * as initial from "./0001_initial.js";

/** Every migration of the secrets schema, in order. */
export const secretsMigrations: MigrationSet = {
  "0001_initial": initial,
};
