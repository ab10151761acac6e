import type { EventVerifier } from "@proximity/bus";
import type { JetStreamClient, JetStreamManager } from "nats";
import type { Db } from "../db/database.js";

/** What reading, explaining and replaying dead letters needs. */
export interface DeadLetterDeps {
  readonly db: Db;
  readonly js: JetStreamClient;
  readonly jsm: JetStreamManager;
  readonly ns: string;
  /** Checks the original is its producer's signed event (the consumers' own check). */
  readonly verifier: EventVerifier;
}
