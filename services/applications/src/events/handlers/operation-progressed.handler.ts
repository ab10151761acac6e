import type { EventHandler } from "@proximity/bus";
import type { provisionerEventsV1 } from "@proximity/proto";
import type { ApplicationsDb } from "../../db/database.js";
import { recordProgress } from "./progress-lines.js";

/**
 * Steps of one operation, as provisioners before OperationsProgressed report them: a log line each
 * for the app's owner, once per event, while the operation runs and is its app's current one.
 */
export function handleOperationProgressed(
  db: ApplicationsDb,
): EventHandler<provisionerEventsV1.OperationProgressed> {
  return (event, ctx) => recordProgress(db, [event], ctx);
}
