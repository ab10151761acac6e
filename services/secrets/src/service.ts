import { databaseTimeouts } from "@proximity/config";
import { createDatabase, prepareSchema } from "@proximity/db";
import { createGrpcServer, createHandlerFactory, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { startMetricsServer } from "@proximity/metrics";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import { noopTracer, type Telemetry } from "@proximity/telemetry";
import { assertRingCoversKeysInUse } from "./app/key-ring-guard.js";
import { startKeyRingReloader } from "./app/key-ring-reloader.js";
import type { SecretsConfig } from "./config.js";
import type { KeyProvider } from "./crypto/key-provider.js";
import { createLocalKeyProvider } from "./crypto/local-key-provider.js";
import type { SecretsDatabase } from "./db/database.js";
import { secretsMigrations } from "./db/migrations/index.js";
import { secretsAdminServiceRegistration } from "./grpc/admin-server.js";
import { secretsServiceRegistration } from "./grpc/server.js";

export interface SecretsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** The service's tracing (createTelemetry); flushed when the service stops. Default: off. */
  readonly telemetry?: Telemetry;
  /** Replaces the KEKs from SECRETS_KEK / SECRETS_KEK_FILE (e.g. a KMS-backed provider). */
  readonly keyProvider?: KeyProvider;
  /** Signal that re-reads SECRETS_KEK_FILE at once (main passes SIGHUP; tests leave it out). */
  readonly reloadSignal?: NodeJS.Signals;
}

/**
 * The secrets service: PostgreSQL and the gRPC server (it has no events); stop() the reverse
 * (readiness off first). Without a usable key-encryption key, or with a key ring missing a key
 * that still wraps stored data keys, `start()` rejects with a ConfigError before serving.
 */
export function createSecretsService(config: SecretsConfig, deps: SecretsServiceDeps): ServiceHandle {
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
    const localKeys = deps.keyProvider
      ? undefined
      : createLocalKeyProvider({ kek: config.SECRETS_KEK, kekFile: config.SECRETS_KEK_FILE });
    const keyProvider = deps.keyProvider ?? localKeys!;

    const db = createDatabase<SecretsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
      timeouts: databaseTimeouts(config),
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    });
    onStop("database", () => db.destroy());
    await prepareSchema(db, {
      schema: config.DB_SCHEMA,
      migrations: secretsMigrations,
      migrate: config.MIGRATE_ON_START,
    });
    await assertRingCoversKeysInUse(db, keyProvider.keyIds());

    if (localKeys && config.SECRETS_KEK_FILE) {
      const reloader = startKeyRingReloader({
        path: config.SECRETS_KEK_FILE,
        provider: localKeys,
        db,
        logger,
        intervalMs: config.SECRETS_KEK_RELOAD_MS,
      });
      onStop("key ring reloader", () => reloader.stop());
      if (deps.reloadSignal) {
        const signal = deps.reloadSignal;
        const onSignal = () => void reloader.check(true);
        process.on(signal, onSignal);
        onStop("key ring reload signal", () => void process.off(signal, onSignal));
      }
    }

    const handlers = createHandlerFactory({ keys, logger, tracer });
    const useCaseDeps = { db, keys: keyProvider };
    const grpc = createGrpcServer({
      logger,
      keys,
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [
        secretsServiceRegistration(handlers, useCaseDeps),
        secretsAdminServiceRegistration(handlers, useCaseDeps),
      ],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    grpc.setServing(true);
    return { grpcPort };
  });
}
