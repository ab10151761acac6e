import { loadServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { createTelemetry } from "@proximity/telemetry";
import { loadBackupsConfig } from "./config.js";
import { createBackupsService } from "./service.js";

runMain(async () => {
  const config = loadBackupsConfig();
  const logger = createLogger({ service: "backups", level: config.LOG_LEVEL });
  logger.info(
    {
      grpcPort: config.GRPC_PORT,
      dbSchema: config.DB_SCHEMA,
      applications: config.APPLICATIONS_GRPC_ADDR,
      schedulerIntervalMs: config.BACKUP_SCHEDULER_INTERVAL_MS,
      busNamespace: config.BUS_NAMESPACE,
    },
    "starting (DATABASE_URL and NATS_URL not logged)",
  );
  const keys = loadServiceKeys(config.SERVICE_KEYS_DIR, "backups");
  const telemetry = createTelemetry({ service: "backups" });
  const service = createBackupsService(config, { logger, keys, telemetry });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.register("telemetry", () => telemetry.shutdown());
  shutdown.register("backups service", () => service.stop());
  shutdown.installSignalHandlers();
  const { grpcPort } = await service.start();
  logger.info({ grpcPort }, "backups service started");
});
