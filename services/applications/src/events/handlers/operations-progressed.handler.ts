import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { recordProgress } from "./progress-lines.js";

/**
 * Steps of the operations a provisioner replica ran side by side: a log line each for the app's
 * owner, once per event, for each operation while it runs and is its app's current one.
 */
export function handleOperationsProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationsProgressed> {
  return (event, ctx) => recordProgress(db, event.operations, ctx);
}
