import { loadServiceKeys } from "@proximity/grpc";
import { createLogger } from "@proximity/logger";
import { createShutdownRegistry, runMain } from "@proximity/service-kit";
import { createTelemetry } from "@proximity/telemetry";
import { loadGatewayConfig } from "./config.js";
import { createGatewayService } from "./service.js";

runMain(async () => {
  const config = loadGatewayConfig();
  const logger = createLogger({ service: "api-gateway", level: config.LOG_LEVEL });
  const keys = loadServiceKeys(config.SERVICE_KEYS_DIR, "api-gateway");
  const telemetry = createTelemetry({ service: "api-gateway" });
  const service = createGatewayService(config, { logger, keys, telemetry });
  const shutdown = createShutdownRegistry({ logger });
  shutdown.register("telemetry", () => telemetry.shutdown());
  shutdown.register("api-gateway", () => service.stop());
  shutdown.installSignalHandlers();
  const { url } = await service.start();
  logger.info(
    { url, schema: config.DB_SCHEMA, cookieSecure: config.COOKIE_SECURE, trustProxy: config.TRUST_PROXY },
    "api-gateway ready",
  );
});
