import type { EndUser } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { Kysely } from "kysely";
import type { BackupsDatabase } from "../db/database.js";
import type { ApplicationsPeer, OnBehalfOf } from "../infra/applications-peer.js";

/** What the backup use-cases work with; built once by the service. */
export interface BackupsDeps {
  readonly db: Kysely<BackupsDatabase>;
  readonly applications: ApplicationsPeer;
}

/** Who asked (the end user the gateway passed), with the trace to carry on. */
export interface Caller {
  readonly user: EndUser;
  readonly traceparent: string;
  readonly requestId?: string | undefined;
  readonly log: Logger;
}

/** The same caller, as the applications service is to be told. */
export function onBehalfOf(caller: Caller): OnBehalfOf {
  return { user: caller.user, traceparent: caller.traceparent, requestId: caller.requestId };
}
