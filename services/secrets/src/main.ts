import { loadServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { createTelemetry } from "@proximity/telemetry";
import { loadSecretsConfig } from "./config.js";
import { createSecretsService } from "./service.js";

runMain(async () => {
  const config = loadSecretsConfig();
  const logger = createLogger({ service: "secrets", level: config.LOG_LEVEL });
  const keys = loadServiceKeys(config.SERVICE_KEYS_DIR, "secrets");
  const telemetry = createTelemetry({ service: "secrets" });
  const service = createSecretsService(config, { logger, keys, reloadSignal: "SIGHUP", telemetry });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.register("telemetry", () => telemetry.shutdown());
  shutdown.register("secrets service", () => service.stop());
  shutdown.installSignalHandlers();
  const { grpcPort } = await service.start();
  logger.info({ grpcPort }, "secrets service started");
});
