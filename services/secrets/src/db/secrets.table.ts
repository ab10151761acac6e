import type { Generated } from "kysely";

/** One row per secret name; `current_version` is the version GetSecret returns. */
export interface SecretsTable {
  name: string;
  current_version: number;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
  /** Set by DeleteSecret (its versions are gone); a later PutSecret revives the name with a higher version. */
  deleted_at: Date | null;
}
