import type { MigrationSet } from "@proximity/db";
import * as identity from "./0001_identity.js";

/** The gateway's migrations, in execution order. */
export const gatewayMigrations: MigrationSet = {
  "0001_identity": identity,
};
