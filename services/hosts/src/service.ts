import {
  connectBus,
  createEventConsumer,
  createOutboxRelay,
  Durables,
  eventSigner,
  eventVerifier,
} from "@proximity/bus";
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
import { applicationsV1, secretsV1 } from "@proximity/proto";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import { noopTracer, type Telemetry } from "@proximity/telemetry";
import { bootstrapHost } from "./app/bootstrap-host.js";
import type { HostsDeps } from "./app/deps.js";
import { createApplicationsAppsOnHost } from "./clients/applications-apps-on-host.js";
import { createSecretsCredentialStore } from "./clients/secrets-credential-store.js";
import type { HostsConfig } from "./config.js";
import type { HostsDatabase } from "./db/database.js";
import { hostsMigrations } from "./db/migrations/index.js";
import { hostCheckedSubscription } from "./events/handlers/host-checked.handler.js";
import { hostsServiceRegistration } from "./grpc/server.js";
import { startPeriodicChecks } from "./infra/periodic-checks.js";

export interface HostsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** The service's tracing (createTelemetry); flushed when the service stops. Default: off. */
  readonly telemetry?: Telemetry;
}

/**
 * The hosts service: PostgreSQL, clients of the secrets and applications services, the outbox
 * relay (HostRegistered/HostRemoved/HostCheckRequested/…), the HostChecked consumer, the periodic
 * check round (HOST_CHECK_INTERVAL_MS), the gRPC server; then the optional bootstrap host, before
 * readiness turns on. stop(): the reverse (readiness off first).
 */
export function createHostsService(config: HostsConfig, deps: HostsServiceDeps): ServiceHandle {
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
    const db = createDatabase<HostsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
      timeouts: databaseTimeouts(config),
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    });
    onStop("database", () => db.destroy());
    await prepareSchema(db, {
      schema: config.DB_SCHEMA,
      migrations: hostsMigrations,
      migrate: config.MIGRATE_ON_START,
    });
    // The clients connect lazily; acquired here so they close after the bus, before the pool.
    const secrets = createServiceClient<secretsV1.SecretsServiceServer>(secretsV1.SecretsServiceService, {
      address: config.SECRETS_GRPC_ADDR,
      audience: "secrets",
      keys,
      tracer,
    });
    const applications = createServiceClient<applicationsV1.ApplicationsServiceServer>(
      applicationsV1.ApplicationsServiceService,
      {
        address: config.APPLICATIONS_GRPC_ADDR,
        audience: "applications",
        keys,
        tracer,
      },
    );
    onStop("peer clients", () => {
      secrets.close();
      applications.close();
    });

    const bus = await connectBus({
      servers: config.NATS_URL,
      name: "hosts",
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
      logger,
      signer: eventSigner(keys),
      tracer,
    });
    relay.start();
    onStop("outbox relay", () => relay.stop());
    const checkResults = createEventConsumer({
      js: bus.js,
      tracer,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: Durables.hostsHostChecks,
      subscriptions: [
        hostCheckedSubscription(db, { recheckUnreachableMs: config.HOST_RECHECK_UNREACHABLE_MS }),
      ],
      // A HostChecked pins SSH host keys: only the provisioner's signed report counts.
      verifier: eventVerifier(keys),
    });
    await checkResults.start();
    onStop("host check results", () => checkResults.stop());
    if (config.HOST_CHECK_INTERVAL_MS > 0) {
      const periodic = startPeriodicChecks(db, config.HOST_CHECK_INTERVAL_MS, logger);
      onStop("periodic host checks", () => periodic.stop());
    }

    const appDeps: HostsDeps = {
      db,
      credentials: createSecretsCredentialStore(secrets),
      appsOnHost: createApplicationsAppsOnHost(applications),
      policy: { allowInsecureHttp: config.PROXIMITY_MODE === "development" },
    };
    const grpc = createGrpcServer({
      logger,
      keys,
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [hostsServiceRegistration(createHandlerFactory({ keys, logger, tracer }), appDeps)],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    if (config.BOOTSTRAP_HOST_JSON !== undefined) {
      const outcome = await bootstrapHost(
        appDeps,
        config.BOOTSTRAP_HOST_JSON,
        logger.child({ component: "bootstrap" }),
      );
      logger.info({ outcome }, "bootstrap host checked");
    }
    grpc.setServing(true);
    return { grpcPort };
  });
}
