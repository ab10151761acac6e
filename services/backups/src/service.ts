import { connectBus } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createGrpcServer, createHandlerFactory, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import type { BackupsConfig } from "./config.js";
import type { BackupsDatabase } from "./db/database.js";
import { backupsMigrations } from "./db/migrations/index.js";
import { createAppEventsConsumer } from "./events/app-events-consumer.js";
import { createDeploymentsConsumer } from "./events/deployments-consumer.js";
import { backupsServiceRegistration } from "./grpc/server.js";

export interface BackupsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
}

/**
 * The backups service: PostgreSQL, the deployments and app events consumers, the gRPC server;
 * stop() the reverse (readiness off first). It publishes no events yet, so no outbox relay runs
 * (the outbox table exists for when it does).
 */
export function createBackupsService(config: BackupsConfig, deps: BackupsServiceDeps): ServiceHandle {
  const { logger, keys } = deps;
  return defineService(logger, async (onStop) => {
    const db = createDatabase<BackupsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
    });
    onStop("database", () => db.destroy());
    await migrateToLatest(db, { schema: config.DB_SCHEMA, migrations: backupsMigrations });

    const bus = await connectBus({
      servers: config.NATS_URL,
      name: "backups",
      ns: config.BUS_NAMESPACE,
      logger,
    });
    onStop("bus", () => bus.close());
    const consumer = createDeploymentsConsumer(db, bus, logger);
    await consumer.start();
    onStop("deployments consumer", () => consumer.stop());
    const appEvents = createAppEventsConsumer(db, bus, logger);
    await appEvents.start();
    onStop("app events consumer", () => appEvents.stop());

    const grpc = createGrpcServer({
      logger,
      port: config.GRPC_PORT,
      services: [backupsServiceRegistration(createHandlerFactory({ keys, logger }), db)],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    grpc.setServing(true);
    return { grpcPort };
  });
}
