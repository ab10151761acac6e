import { createDatabase, migrateToLatest } from "@proximity/db";
import { createGrpcServer, createHandlerFactory, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import type { SecretsConfig } from "./config.js";
import type { KeyProvider } from "./crypto/key-provider.js";
import { createLocalKeyProvider } from "./crypto/local-key-provider.js";
import type { SecretsDatabase } from "./db/database.js";
import { secretsMigrations } from "./db/migrations/index.js";
import { secretsServiceRegistration } from "./grpc/server.js";

export interface SecretsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** Replaces the KEKs from SECRETS_KEK / SECRETS_KEK_FILE (e.g. a KMS-backed provider). */
  readonly keyProvider?: KeyProvider;
}

/**
 * The secrets service: PostgreSQL and the gRPC server (it has no events); stop() the reverse
 * (readiness off first). Without a usable key-encryption key `start()` rejects with a
 * ConfigError naming the variable, before anything connects.
 */
export function createSecretsService(config: SecretsConfig, deps: SecretsServiceDeps): ServiceHandle {
  const { logger, keys } = deps;
  return defineService(logger, async (onStop) => {
    const keyProvider =
      deps.keyProvider ??
      createLocalKeyProvider({ kek: config.SECRETS_KEK, kekFile: config.SECRETS_KEK_FILE });

    const db = createDatabase<SecretsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
    });
    onStop("database", () => db.destroy());
    await migrateToLatest(db, { schema: config.DB_SCHEMA, migrations: secretsMigrations });

    const grpc = createGrpcServer({
      logger,
      port: config.GRPC_PORT,
      services: [
        secretsServiceRegistration(createHandlerFactory({ keys, logger }), { db, keys: keyProvider }),
      ],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    grpc.setServing(true);
    return { grpcPort };
  });
}
