import { createDatabase, migrateToLatest } from "@proximity/db";
import { createGrpcServer, createHandlerFactory, type GrpcServer, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import type { ServiceHandle } from "@proximity/service-kit";
import type { Kysely } from "kysely";
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
 * The secrets service: PostgreSQL and the gRPC server (it has no events). Without a usable
 * key-encryption key `start()` rejects with a ConfigError naming the variable.
 */
export function createSecretsService(config: SecretsConfig, deps: SecretsServiceDeps): ServiceHandle {
  return new SecretsService(config, deps);
}

class SecretsService implements ServiceHandle {
  readonly #config: SecretsConfig;
  readonly #deps: SecretsServiceDeps;
  #db: Kysely<SecretsDatabase> | undefined;
  #grpc: GrpcServer | undefined;

  constructor(config: SecretsConfig, deps: SecretsServiceDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  async start(): Promise<{ grpcPort: number }> {
    try {
      return await this.#start();
    } catch (err) {
      // A half-started service must not leak its pool or port.
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.#grpc?.shutdown();
    await this.#db?.destroy();
  }

  async #start(): Promise<{ grpcPort: number }> {
    const { logger, keys } = this.#deps;
    const config = this.#config;
    const keyProvider =
      this.#deps.keyProvider ??
      createLocalKeyProvider({ kek: config.SECRETS_KEK, kekFile: config.SECRETS_KEK_FILE });
    const db = createDatabase<SecretsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger: this.#deps.logger,
    });
    this.#db = db;
    await migrateToLatest(db, { schema: config.DB_SCHEMA, migrations: secretsMigrations });
    const grpc = createGrpcServer({
      logger,
      port: config.GRPC_PORT,
      services: [
        secretsServiceRegistration(createHandlerFactory({ keys, logger }), { db, keys: keyProvider }),
      ],
    });
    this.#grpc = grpc;
    const grpcPort = await grpc.start();
    grpc.setServing(true);
    return { grpcPort };
  }
}
