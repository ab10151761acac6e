import { loadServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { createTelemetry } from "@proximity/telemetry";
import { loadHostsConfig } from "./config.js";
import { createHostsService } from "./service.js";

runMain(async () => {
  const config = loadHostsConfig();
  const logger = createLogger({ service: "hosts", level: config.LOG_LEVEL });
  const keys = loadServiceKeys(config.SERVICE_KEYS_DIR, "hosts");
  const telemetry = createTelemetry({ service: "hosts" });
  const service = createHostsService(config, { logger, keys, telemetry });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.register("telemetry", () => telemetry.shutdown());
  shutdown.register("hosts service", () => service.stop());
  shutdown.installSignalHandlers();
  const { grpcPort } = await service.start();
  logger.info({ grpcPort }, "hosts service started");
});
