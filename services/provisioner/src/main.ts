import { loadServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { createTelemetry } from "@proximity/telemetry";
import { loadProvisionerConfig } from "./config.js";
import { SERVICE_NAME } from "./events/publish.js";
import { createProvisionerService } from "./service.js";

runMain(async () => {
  const config = loadProvisionerConfig();
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  const keys = loadServiceKeys(config.SERVICE_KEYS_DIR, SERVICE_NAME);
  const telemetry = createTelemetry({ service: SERVICE_NAME });
  const service = createProvisionerService(config, { logger, keys, telemetry });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.register("telemetry", () => telemetry.shutdown());
  shutdown.register("provisioner", () => service.stop());
  shutdown.installSignalHandlers();
  const { grpcPort } = await service.start();
  logger.info(
    {
      grpcPort,
      hosts: config.HOSTS_GRPC_ADDR,
      secrets: config.SECRETS_GRPC_ADDR,
      namespace: config.BUS_NAMESPACE,
    },
    "provisioner started",
  );
});
