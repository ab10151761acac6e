import type { ColumnType } from "kysely";

/** One throttled key (pair, address or account), shared by every gateway replica. */
export interface LoginThrottleTable {
  scope: "pair" | "address" | "account";
  /** sha256 (hex) of the key material (see domain/login-throttle-policy.ts). */
  key_hash: string;
  /** Attempts not (yet) proven good, as counted at `counted_at`; one leaks away per scope's leakMs after it. */
  attempts: number;
  counted_at: ColumnType<Date, Date | undefined, Date>;
  next_allowed_at: Date;
  /** Last time anything changed the row (pruning looks at rows left alone). */
  updated_at: ColumnType<Date, Date | undefined, Date>;
}

/** An (account, address) pair that signed in successfully; the per-account delay lets it through. */
export interface LoginKnownSourcesTable {
  /** sha256 (hex) of account and address key. */
  source_hash: string;
  last_success_at: ColumnType<Date, Date | undefined, Date>;
}
