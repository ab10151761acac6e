import type { Kysely } from "kysely";
import type { HostsDatabase } from "../db/database.js";
import type { HostPolicy } from "../domain/validate-host-settings.js";
import type { AppsOnHost, CredentialStore } from "./ports.js";

/** What the hosts use-cases work with. */
export interface HostsDeps {
  readonly db: Kysely<HostsDatabase>;
  readonly credentials: CredentialStore;
  readonly appsOnHost: AppsOnHost;
  /** What the configuration allows (plain HTTP only in development mode). */
  readonly policy: HostPolicy;
}
