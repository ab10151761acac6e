/** The ProvisionerService registration built from its handlers. */
import { createHandlerFactory, type ServiceKeys, type ServiceRegistration } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { provisionerV1 } from "@proximity/proto";
import type { JetStreamManager } from "nats";
import type { Db } from "../db/database.js";
import { getOperationHandler } from "./handlers/get-operation.js";
import { listDeadLettersHandler } from "./handlers/list-dead-letters.js";

export function provisionerServiceRegistration(deps: {
  db: Db;
  bus: { jsm: JetStreamManager; ns: string };
  keys: ServiceKeys;
  logger: Logger;
}): ServiceRegistration {
  const h = createHandlerFactory({ keys: deps.keys, logger: deps.logger });
  const implementation: provisionerV1.ProvisionerServiceServer = {
    getOperation: getOperationHandler(h, deps.db),
    listDeadLetters: listDeadLettersHandler(h, deps.bus),
  };
  return {
    name: "proximity.provisioner.v1.ProvisionerService",
    definition: provisionerV1.ProvisionerServiceService,
    implementation,
  };
}
