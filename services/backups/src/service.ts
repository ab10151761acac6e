import { connectBus, createOutboxRelay, eventSigner, eventVerifier } from "@proximity/bus";
import { databaseTimeouts } from "@proximity/config";
import { createDatabase, prepareSchema } from "@proximity/db";
import { createGrpcServer, createHandlerFactory, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { startMetricsServer } from "@proximity/metrics";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import { noopTracer, type Telemetry } from "@proximity/telemetry";
import { createBackupScheduler } from "./app/backup-scheduler.js";
import type { BackupsConfig } from "./config.js";
import type { BackupsDatabase } from "./db/database.js";
import { backupsMigrations } from "./db/migrations/index.js";
import { createAppEventsConsumer } from "./events/app-events.consumer.js";
import {
  createOperationResultsConsumer,
  retireOldResultsConsumer,
} from "./events/operation-results.consumer.js";
import { createStorageObservationsConsumer } from "./events/storage-observations.consumer.js";
import { backupsServiceRegistration } from "./grpc/server.js";
import { createApplicationsPeer } from "./infra/applications-peer.js";

export interface BackupsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** The service's tracing (createTelemetry); flushed when the service stops. Default: off. */
  readonly telemetry?: Telemetry;
}

/**
 * The backups service: records of backups and restores, policies, the scheduler, storage
 * reconciliation and the public backup events (outbox). start(): db → applications client →
 * bus → outbox relay → consumers → scheduler → gRPC; stop() the reverse (readiness off and no
 * new calls first, then the scheduler finishes its pass, intake stops, connections close).
 * @example
 * const service = createBackupsService(config, { logger, keys });
 * const { grpcPort } = await service.start();
 */
export function createBackupsService(config: BackupsConfig, deps: BackupsServiceDeps): ServiceHandle {
  const { logger, keys } = deps;
  const tracer = deps.telemetry?.tracer ?? noopTracer;
  return defineService(logger, async (onStop) => {
    // Registered first, so flushed last: the spans of the stop itself are sent too.
    const telemetry = deps.telemetry;
    if (telemetry) onStop("telemetry", () => telemetry.flush());
    // First acquired, last released: metrics stay readable while the service winds down.
    const metrics = await startMetricsServer({
      logger,
      host: config.METRICS_HOST,
      port: config.METRICS_PORT,
    });
    if (metrics) onStop("metrics server", () => metrics.close());
    const db = createDatabase<BackupsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
      timeouts: databaseTimeouts(config),
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    });
    onStop("database", () => db.destroy());
    await prepareSchema(db, {
      schema: config.DB_SCHEMA,
      migrations: backupsMigrations,
      migrate: config.MIGRATE_ON_START,
    });
    // The client connects lazily; acquired here so it closes after the bus, before the pool.
    const applications = createApplicationsPeer(config.APPLICATIONS_GRPC_ADDR, keys, tracer);
    onStop("applications client", () => applications.close());

    const bus = await connectBus({
      servers: config.NATS_URL,
      name: "backups",
      ns: config.BUS_NAMESPACE,
      logger,
      natsSeed: keys.natsSeed,
      // Streams are setup's; only a server without authentication lets the service declare them.
      declareStreams: config.BUS_DECLARE_STREAMS,
      streamLimits: { maxBytes: config.BUS_STREAM_MAX_BYTES, maxMessageBytes: config.BUS_MAX_MESSAGE_BYTES },
    });
    onStop("bus", () => bus.close());
    const relay = createOutboxRelay({
      db,
      js: bus.js,
      ns: bus.ns,
      logger: logger.child({ component: "outbox" }),
      signer: eventSigner(keys),
      tracer,
    });
    relay.start();
    onStop("outbox relay", () => relay.stop());
    // Every consumer checks each event's producer and signature before acting on it.
    const verifier = eventVerifier(keys);
    for (const [name, consumer] of [
      ["operation results consumer", createOperationResultsConsumer(db, bus, logger, verifier, tracer)],
      ["storage observations consumer", createStorageObservationsConsumer(db, bus, logger, verifier, tracer)],
      ["app events consumer", createAppEventsConsumer(db, bus, logger, verifier, tracer)],
    ] as const) {
      await consumer.start();
      onStop(name, () => consumer.stop());
    }
    // In the background: the service is ready meanwhile (its current durables run already).
    const retiring = retireOldResultsConsumer(
      db,
      bus,
      logger,
      verifier,
      config.RETIRED_DURABLE_QUIET_MS,
      tracer,
    );
    onStop("retired results consumer", () => retiring.stop());
    const scheduler = createBackupScheduler({
      deps: { db, applications },
      intervalMs: config.BACKUP_SCHEDULER_INTERVAL_MS,
      logger,
    });
    scheduler.start();
    onStop("backup scheduler", () => scheduler.stop());

    const grpc = createGrpcServer({
      logger,
      keys,
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [
        backupsServiceRegistration({ h: createHandlerFactory({ keys, logger, tracer }), db, applications }),
      ],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    grpc.setServing(true);
    return { grpcPort };
  });
}
