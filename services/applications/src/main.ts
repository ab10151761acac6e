import { loadServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { createTelemetry } from "@proximity/telemetry";
import { loadApplicationsConfig } from "./config.js";
import { createApplicationsService } from "./service.js";

runMain(async () => {
  const config = loadApplicationsConfig();
  const logger = createLogger({ service: "applications", level: config.LOG_LEVEL });
  logger.info(
    {
      grpcPort: config.GRPC_PORT,
      dbSchema: config.DB_SCHEMA,
      hosts: config.HOSTS_GRPC_ADDR,
      secrets: config.SECRETS_GRPC_ADDR,
      provisioner: config.PROVISIONER_GRPC_ADDR,
      portRange: config.APP_PORT_RANGE,
      quotaDefault: config.APP_QUOTA_DEFAULT,
      busNamespace: config.BUS_NAMESPACE,
      catalogDir: config.CATALOG_DIR,
    },
    "starting (DATABASE_URL and NATS_URL not logged)",
  );
  const keys = loadServiceKeys(config.SERVICE_KEYS_DIR, "applications");
  const telemetry = createTelemetry({ service: "applications" });
  const service = createApplicationsService(config, { logger, keys, telemetry });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.register("telemetry", () => telemetry.shutdown());
  shutdown.register("applications service", () => service.stop());
  shutdown.installSignalHandlers();
  const { grpcPort } = await service.start();
  logger.info({ grpcPort }, "applications service ready");
});
