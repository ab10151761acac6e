import { type Bus, connectBus, createOutboxRelay, type OutboxRelay } from "@proximity/bus";
import { createDatabase, migrateToLatest } from "@proximity/db";
import {
  createGrpcServer,
  createHandlerFactory,
  createServiceClient,
  type GrpcServer,
  type PromiseClient,
  type ServiceKeys,
} from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { applicationsV1, secretsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import type { Kysely } from "kysely";
import { bootstrapHost } from "./app/bootstrap-host.js";
import type { HostsDeps } from "./app/deps.js";
import { createApplicationsAppsOnHost } from "./clients/applications-apps-on-host.js";
import { createSecretsCredentialStore } from "./clients/secrets-credential-store.js";
import type { HostsConfig } from "./config.js";
import type { HostsDatabase } from "./db/database.js";
import { hostsMigrations } from "./db/migrations/index.js";
import { hostsServiceRegistration } from "./grpc/server.js";

export interface HostsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
}

/**
 * The hosts service: PostgreSQL, the outbox relay (HostRegistered/HostRemoved), clients of the
 * secrets and applications services, the gRPC server; then the optional bootstrap host, before
 * readiness turns on.
 */
export function createHostsService(config: HostsConfig, deps: HostsServiceDeps): ServiceHandle {
  return new HostsService(config, deps);
}

class HostsService implements ServiceHandle {
  readonly #config: HostsConfig;
  readonly #deps: HostsServiceDeps;
  readonly #secrets: PromiseClient<secretsV1.SecretsServiceServer>;
  readonly #applications: PromiseClient<applicationsV1.ApplicationsServiceServer>;
  #db: Kysely<HostsDatabase> | undefined;
  #bus: Bus | undefined;
  #relay: OutboxRelay | undefined;
  #grpc: GrpcServer | undefined;

  constructor(config: HostsConfig, deps: HostsServiceDeps) {
    this.#config = config;
    this.#deps = deps;
    const keys = deps.keys;
    this.#secrets = createServiceClient(secretsV1.SecretsServiceService, {
      address: config.SECRETS_GRPC_ADDR,
      audience: "secrets",
      keys,
    });
    this.#applications = createServiceClient(applicationsV1.ApplicationsServiceService, {
      address: config.APPLICATIONS_GRPC_ADDR,
      audience: "applications",
      keys,
    });
  }

  async start(): Promise<{ grpcPort: number }> {
    try {
      return await this.#start();
    } catch (err) {
      // A half-started service must not leak its pool, NATS connection, relay or port.
      await this.stop();
      throw err;
    }
  }

  async stop(): Promise<void> {
    await this.#grpc?.shutdown();
    await this.#relay?.stop();
    await this.#bus?.close();
    this.#secrets.close();
    this.#applications.close();
    await this.#db?.destroy();
  }

  async #start(): Promise<{ grpcPort: number }> {
    const { logger, keys } = this.#deps;
    const config = this.#config;
    const db = createDatabase<HostsDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger: this.#deps.logger,
    });
    this.#db = db;
    await migrateToLatest(db, { schema: config.DB_SCHEMA, migrations: hostsMigrations });
    const bus = await connectBus({
      servers: config.NATS_URL,
      name: "hosts",
      ns: config.BUS_NAMESPACE,
      logger,
    });
    this.#bus = bus;
    this.#relay = createOutboxRelay({ db, js: bus.js, ns: bus.ns, logger });
    this.#relay.start();
    const appDeps: HostsDeps = {
      db,
      credentials: createSecretsCredentialStore(this.#secrets),
      appsOnHost: createApplicationsAppsOnHost(this.#applications),
    };
    const grpc = createGrpcServer({
      logger,
      port: config.GRPC_PORT,
      services: [hostsServiceRegistration(createHandlerFactory({ keys, logger }), appDeps)],
    });
    this.#grpc = grpc;
    const grpcPort = await grpc.start();
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
  }
}
