/** The ProvisionerService registration built from its handlers. */
import type { EventVerifier } from "@proximity/bus";
import { createHandlerFactory, type ServiceKeys, type ServiceRegistration } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { provisionerV1 } from "@proximity/proto";
import type { BreakerRegistry } from "@proximity/proxmox";
import type { Tracer } from "@proximity/telemetry";
import type { JetStreamClient, JetStreamManager } from "nats";
import type { ListHostContainersDeps } from "../app/list-host-containers.js";
import type { Db } from "../db/database.js";
import { getDeadLetterHandler } from "./handlers/get-dead-letter.js";
import { getOperationHandler } from "./handlers/get-operation.js";
import { listAppOperationsHandler } from "./handlers/list-app-operations.js";
import { listBreakersHandler } from "./handlers/list-breakers.js";
import { listDeadLettersHandler } from "./handlers/list-dead-letters.js";
import { listHostContainersHandler } from "./handlers/list-host-containers.js";
import { replayDeadLetterHandler } from "./handlers/replay-dead-letter.js";
import { resetBreakerHandler } from "./handlers/reset-breaker.js";

export function provisionerServiceRegistration(deps: {
  db: Db;
  bus: { js: JetStreamClient; jsm: JetStreamManager; ns: string };
  keys: ServiceKeys;
  logger: Logger;
  /** Checks a dead letter's request is its producer's signed event before it is replayed. */
  verifier: EventVerifier;
  /** The process-wide registry the deploy steps use, so the RPCs show and reset the breakers that act. */
  breakers: Pick<BreakerRegistry, "snapshot" | "reset">;
  /** This process (the worker id that begins its claims in operations.claimed_by): breakers are per process, so answers name it. */
  replica: string;
  /** What ListHostContainers needs to reach hosts. */
  hostContainers: ListHostContainersDeps;
  tracer?: Tracer;
}): ServiceRegistration {
  const h = createHandlerFactory({
    keys: deps.keys,
    logger: deps.logger,
    ...(deps.tracer ? { tracer: deps.tracer } : {}),
  });
  const deadLetters = { db: deps.db, ...deps.bus, verifier: deps.verifier };
  const implementation: provisionerV1.ProvisionerServiceServer = {
    getOperation: getOperationHandler(h, deps.db),
    listAppOperations: listAppOperationsHandler(h, deps.db),
    listDeadLetters: listDeadLettersHandler(h, deadLetters),
    getDeadLetter: getDeadLetterHandler(h, deadLetters),
    replayDeadLetter: replayDeadLetterHandler(h, deadLetters),
    listBreakers: listBreakersHandler(h, deps.breakers, deps.replica),
    resetBreaker: resetBreakerHandler(h, deps.breakers, deps.replica),
    listHostContainers: listHostContainersHandler(h, deps.hostContainers),
  };
  return {
    name: "proximity.provisioner.v1.ProvisionerService",
    definition: provisionerV1.ProvisionerServiceService,
    implementation,
  };
}
