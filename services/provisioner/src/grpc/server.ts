/** The ProvisionerService registration built from its handlers. */
import { createHandlerFactory, type ServiceKeys, type ServiceRegistration } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { provisionerV1 } from "@proximity/proto";
import type { BreakerRegistry } from "@proximity/proxmox";
import type { JetStreamManager } from "nats";
import type { ListHostContainersDeps } from "../app/list-host-containers.js";
import type { Db } from "../db/database.js";
import { getOperationHandler } from "./handlers/get-operation.js";
import { listBreakersHandler } from "./handlers/list-breakers.js";
import { listDeadLettersHandler } from "./handlers/list-dead-letters.js";
import { listHostContainersHandler } from "./handlers/list-host-containers.js";

export function provisionerServiceRegistration(deps: {
  db: Db;
  bus: { jsm: JetStreamManager; ns: string };
  keys: ServiceKeys;
  logger: Logger;
  /** The process-wide registry the deploy steps use, so the RPC shows the breakers that act. */
  breakers: Pick<BreakerRegistry, "snapshot">;
  /** What ListHostContainers needs to reach hosts. */
  hostContainers: ListHostContainersDeps;
}): ServiceRegistration {
  const h = createHandlerFactory({ keys: deps.keys, logger: deps.logger });
  const implementation: provisionerV1.ProvisionerServiceServer = {
    getOperation: getOperationHandler(h, deps.db),
    listDeadLetters: listDeadLettersHandler(h, deps.bus),
    listBreakers: listBreakersHandler(h, deps.breakers),
    listHostContainers: listHostContainersHandler(h, deps.hostContainers),
  };
  return {
    name: "proximity.provisioner.v1.ProvisionerService",
    definition: provisionerV1.ProvisionerServiceService,
    implementation,
  };
}
