import { type Bus, connectBus, type EventConsumer } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import { createGrpcServer, createHandlerFactory, type GrpcServer, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { ServiceHandle } from "@proximity/service-kit";
import type { Kysely } from "kysely";
import type { BackupsConfig } from "./config.js";
import type { BackupsDatabase } from "./db/database.js";
import { backupsMigrations } from "./db/migrations/index.js";
import { createDeploymentsConsumer } from "./events/deployments-consumer.js";
import { backupsServiceRegistration } from "./grpc/server.js";

export interface BackupsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
}

/**
 * The backups service: PostgreSQL, the deployments consumer, the gRPC server. It publishes no
 * events yet, so no outbox relay runs (the outbox table exists for when it does).
 */
export function createBackupsService(config: BackupsConfig, deps: BackupsServiceDeps): ServiceHandle {
  return new BackupsService(config, deps);
}

class BackupsService implements ServiceHandle {
  readonly #config: BackupsConfig;
  readonly #deps: BackupsServiceDeps;
  #db: Kysely<BackupsDatabase> | undefined;
  #bus: Bus | undefined;
  #consumer: EventConsumer | undefined;
  #grpc: GrpcServer | undefined;

  constructor(config: BackupsConfig, deps: BackupsServiceDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  async start(): Promise<{ grpcPort: number }> {
    try {
      return await this.#start();
    } catch (err) {
      // A half-started service must not leak its pool, NATS connection, consumer or port.
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.#grpc?.shutdown();
    await this.#consumer?.stop();
    await this.#bus?.close();
    await this.#db?.destroy();
  }

  async #start(): Promise<{ grpcPort: number }> {
    const { logger, keys } = this.#deps;
    const config = this.#config;
    const db = createDatabase<BackupsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger: this.#deps.logger,
    });
    this.#db = db;
    await migrateToLatest(db, { schema: config.DB_SCHEMA, migrations: backupsMigrations });
    const bus = await connectBus({
      servers: config.NATS_URL,
      name: "backups",
      ns: config.BUS_NAMESPACE,
      logger,
    });
    this.#bus = bus;
    this.#consumer = createDeploymentsConsumer(db, bus, logger);
    await this.#consumer.start();
    const grpc = createGrpcServer({
      logger,
      port: config.GRPC_PORT,
      services: [backupsServiceRegistration(createHandlerFactory({ keys, logger }), db)],
    });
    this.#grpc = grpc;
    const grpcPort = await grpc.start();
    grpc.setServing(true);
    return { grpcPort };
  }
}
