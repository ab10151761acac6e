import { createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { connectBus, eventVerifier } from "@proximity/bus";
import { createLogger } from "@proximity/logger";
import { createAppEventsSubscriber } from "./subscriber.js";

// Runs the example against a running platform: NATS_URL, BUS_NAMESPACE (default proximity),
// EXAMPLE_DURABLE (default example-app-events), PUBLIC_KEYS_DIR (the platform's public keys,
// default .dev/trust/public: events are checked against applications.pub), NATS_SEED_FILE (the
// subscriber's NATS user seed, when the server requires one). Stops on SIGINT/SIGTERM.
const logger = createLogger({
  service: "example-app-events-subscriber",
  level: process.env.LOG_LEVEL ?? "info",
});
const bus = await connectBus({
  servers: process.env.NATS_URL ?? "nats://127.0.0.1:4222",
  name: "example-app-events-subscriber",
  ns: process.env.BUS_NAMESPACE ?? "proximity",
  logger,
  ...(process.env.NATS_SEED_FILE
    ? { natsSeed: readFileSync(process.env.NATS_SEED_FILE, "utf8").trim() }
    : {}),
});
const publicKeysDir = process.env.PUBLIC_KEYS_DIR ?? ".dev/trust/public";
const applicationsKey = createPublicKey(readFileSync(join(publicKeysDir, "applications.pub"), "utf8"));
const subscriber = createAppEventsSubscriber({
  bus,
  logger,
  durable: process.env.EXAMPLE_DURABLE,
  verifier: eventVerifier({ publicKeys: new Map([["applications", applicationsKey]]) }),
});
await subscriber.start();
logger.info({ ns: bus.ns }, "listening for app events");

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, async () => {
    await subscriber.stop();
    await bus.close();
    process.exit(0);
  });
}
