import type { Kysely } from "kysely";
import type { KeyProvider } from "../crypto/key-provider.js";
import type { SecretsDatabase } from "../db/database.js";

/** What the secrets use-cases work with. */
export interface SecretsDeps {
  readonly db: Kysely<SecretsDatabase>;
  readonly keys: KeyProvider;
}
