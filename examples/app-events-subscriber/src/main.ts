import { connectBus } from "@proximity/bus";
import { createLogger } from "@proximity/logger";
import { createAppEventsSubscriber } from "./subscriber.js";

// Runs the example against a running platform: NATS_URL, BUS_NAMESPACE (default proximity),
// EXAMPLE_DURABLE (default example-app-events). Stops on SIGINT/SIGTERM.
const logger = createLogger({
  service: "example-app-events-subscriber",
  level: process.env.LOG_LEVEL ?? "info",
});
const bus = await connectBus({
  servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  name: "example-app-events-subscriber",
  ns: process.env.BUS_NAMESPACE ?? "proximity",
  logger,
});
const subscriber = createAppEventsSubscriber({ bus, logger, durable: process.env.EXAMPLE_DURABLE });
await subscriber.start();
logger.info({ ns: bus.ns }, "listening for app events");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await subscriber.stop();
    await bus.close();
    process.exit(0);
  });
}
