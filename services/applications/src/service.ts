import { connectBus, createOutboxRelay, eventSigner, eventVerifier } from "@proximity/bus";
import { databaseTimeouts } from "@proximity/config";
import { createDatabase, prepareSchema } from "@proximity/db";
import {
  createGrpcServer,
  createHandlerFactory,
  createServiceClient,
  type ServiceKeys,
} from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { startMetricsServer } from "@proximity/metrics";
import { hostsV1, provisionerV1, secretsV1 } from "@proximity/proto";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import { noopTracer, type Telemetry } from "@proximity/telemetry";
import { createAppCountsCompactor } from "./app/app-counts-compactor.js";
import { lifeCycleSettings } from "./app/life-cycle-settings.js";
import { createOperationReaper } from "./app/operation-reaper.js";
import { sharePlacements } from "./app/shared-placements.js";
import { loadCatalog } from "./catalog/catalog.js";
import type { ApplicationsConfig } from "./config.js";
import type { ApplicationsDatabase } from "./db/database.js";
import { applicationsMigrations } from "./db/migrations/index.js";
import { createCatalogReloadConsumer } from "./events/catalog-reload.consumer.js";
import { createObservationsConsumer } from "./events/observations.consumer.js";
import { createProvisionerEventsConsumer } from "./events/provisioner-events.consumer.js";
import { USER_TRUSTED_CALLERS } from "./grpc/call-guards.js";
import { applicationsServiceRegistration } from "./grpc/server.js";
import { watchAppStatuses } from "./metrics.js";

export interface ApplicationsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** The service's tracing (createTelemetry); flushed when the service stops. Default: off. */
  readonly telemetry?: Telemetry;
}

/** How often the list's count rows are folded (a few seconds of changes are a few rows per owner). */
const APP_COUNTS_COMPACT_INTERVAL_MS = 10_000;
/**
 * The applications service: catalog, apps and deployment logs behind gRPC; deployment requests out
 * through the outbox; provisioner results in through a durable consumer.
 * start(): catalog first (a bad file stops start-up before anything connects), then
 * db → bus → relay → consumer → gRPC. stop(): the reverse (readiness off and no new calls, then
 * intake stops, then connections close).
 * @example
 * const service = createApplicationsService(config, { logger, keys });
 * const { grpcPort } = await service.start();
 */
export function createApplicationsService(
  config: ApplicationsConfig,
  deps: ApplicationsServiceDeps,
): ServiceHandle {
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
    const catalog = await loadCatalog(config.CATALOG_DIR);
    logger.info({ items: catalog.list().length, dir: config.CATALOG_DIR }, "catalog loaded");

    const db = createDatabase<ApplicationsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
      timeouts: databaseTimeouts(config),
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    });
    onStop("database", () => db.destroy());
    onStop("app status metrics", watchAppStatuses(db));
    await prepareSchema(db, {
      schema: config.DB_SCHEMA,
      migrations: applicationsMigrations,
      migrate: config.MIGRATE_ON_START,
    });
    // The client connects lazily; acquired here so it closes after the bus, before the pool.
    const hosts = createServiceClient<hostsV1.HostsServiceServer>(hostsV1.HostsServiceService, {
      address: config.HOSTS_GRPC_ADDR,
      audience: "hosts",
      keys,
      tracer,
    });
    onStop("hosts client", () => hosts.close());
    const placements = sharePlacements(hosts, { maxAgeMs: config.PLACEMENT_MAX_AGE_MS });
    const secrets = createServiceClient<secretsV1.SecretsServiceServer>(secretsV1.SecretsServiceService, {
      address: config.SECRETS_GRPC_ADDR,
      audience: "secrets",
      keys,
      tracer,
    });
    onStop("secrets client", () => secrets.close());
    const provisioner = createServiceClient<provisionerV1.ProvisionerServiceServer>(
      provisionerV1.ProvisionerServiceService,
      { address: config.PROVISIONER_GRPC_ADDR, audience: "provisioner", keys, tracer },
    );
    onStop("provisioner client", () => provisioner.close());
    const settings = lifeCycleSettings(config);

    const bus = await connectBus({
      servers: config.NATS_URL,
      name: "applications",
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
    const consumer = createProvisionerEventsConsumer({ db, bus, logger, verifier, tracer });
    await consumer.start();
    onStop("provisioner events consumer", () => consumer.stop());
    const catalogReload = createCatalogReloadConsumer({ bus, catalog, logger, verifier });
    await catalogReload.start();
    onStop("catalog reload consumer", () => catalogReload.stop());
    // Fails operations past their deadline (safe with several replicas: SKIP LOCKED).
    const reaper = createOperationReaper({
      db,
      settings,
      intervalMs: config.OPERATION_REAPER_INTERVAL_MS,
      logger,
    });
    reaper.start();
    onStop("operation reaper", () => reaper.stop());
    // Folds the list's count rows (safe with several replicas; migration 0005).
    const counts = createAppCountsCompactor({ db, intervalMs: APP_COUNTS_COMPACT_INTERVAL_MS, logger });
    counts.start();
    onStop("app counts compactor", () => counts.stop());
    const observations = createObservationsConsumer({ db, bus, logger, verifier, tracer });
    await observations.start();
    onStop("observations consumer", () => observations.stop());

    const grpc = createGrpcServer({
      logger,
      keys,
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [
        applicationsServiceRegistration({
          h: createHandlerFactory({ keys, logger, userTrustedCallers: USER_TRUSTED_CALLERS, tracer }),
          db,
          catalog,
          hosts: placements,
          secrets,
          provisioner,
          settings,
          metricsStaleAfterMs: config.METRICS_STALE_AFTER_MS,
        }),
      ],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    grpc.setServing(true);
    return { grpcPort };
  });
}
