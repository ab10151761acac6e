import type { HandlerFactory } from "@proximity/grpc";
import type { BackupsDeps } from "../app/deps.js";

/** What the RPC handlers work with; built once by the service. */
export interface HandlerDeps extends BackupsDeps {
  readonly h: HandlerFactory;
}
