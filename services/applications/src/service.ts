import {
  type Bus,
  connectBus,
  createOutboxRelay,
  type EventConsumer,
  type OutboxRelay,
} from "@proximity/bus";
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
import { hostsV1 } from "@proximity/proto";
import type { ServiceHandle } from "@proximity/service-kit";
import { loadCatalog } from "./catalog/catalog.js";
import type { ApplicationsConfig } from "./config.js";
import type { ApplicationsDatabase, ApplicationsDb } from "./db/database.js";
import { migrations } from "./db/migrations/index.js";
import { createProvisionerEventsConsumer } from "./events/provisioner-events.consumer.js";
import { applicationsServiceRegistration } from "./grpc/server.js";

export interface ApplicationsServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
}

/**
 * The applications service: catalog, apps and deployment logs behind gRPC; deployment requests out
 * through the outbox; provisioner results in through a durable consumer.
 * @example
 * const service = createApplicationsService(config, { logger, keys });
 * const { grpcPort } = await service.start();
 */
export function createApplicationsService(
  config: ApplicationsConfig,
  deps: ApplicationsServiceDeps,
): ServiceHandle {
  return new ApplicationsService(config, deps);
}

class ApplicationsService implements ServiceHandle {
  readonly #config: ApplicationsConfig;
  readonly #deps: ApplicationsServiceDeps;
  #db: ApplicationsDb | undefined;
  #bus: Bus | undefined;
  #relay: OutboxRelay | undefined;
  #consumer: EventConsumer | undefined;
  #hosts: PromiseClient<hostsV1.HostsServiceServer> | undefined;
  #grpc: GrpcServer | undefined;

  constructor(config: ApplicationsConfig, deps: ApplicationsServiceDeps) {
    this.#config = config;
    this.#deps = deps;
  }

  /** Catalog first (a bad file stops start-up before anything connects), then db → bus → relay → consumer → gRPC. */
  async start(): Promise<{ grpcPort: number }> {
    const { logger, keys } = this.#deps;
    try {
      const catalog = await loadCatalog(this.#config.CATALOG_DIR);
      logger.info({ items: catalog.list().length, dir: this.#config.CATALOG_DIR }, "catalog loaded");
      const db = await this.#openDatabase();
      const bus = await this.#connectBus();
      this.#relay = createOutboxRelay({
        db,
        js: bus.js,
        ns: bus.ns,
        logger: logger.child({ component: "outbox" }),
      });
      this.#relay.start();
      this.#consumer = createProvisionerEventsConsumer({ db, bus, logger });
      await this.#consumer.start();
      this.#hosts = createServiceClient<hostsV1.HostsServiceServer>(hostsV1.HostsServiceService, {
        address: this.#config.HOSTS_GRPC_ADDR,
        audience: "hosts",
        keys,
      });
      const h = createHandlerFactory({ keys, logger });
      this.#grpc = createGrpcServer({
        logger,
        port: this.#config.GRPC_PORT,
        services: [applicationsServiceRegistration({ h, db, catalog, hosts: this.#hosts })],
      });
      const grpcPort = await this.#grpc.start();
      this.#grpc.setServing(true);
      return { grpcPort };
    } catch (err) {
      // Release whatever started so a failed start does not leave a process hanging on sockets.
      await this.stop();
      throw err;
    }
  }

  async #openDatabase(): Promise<ApplicationsDb> {
    const { DATABASE_URL, DB_SCHEMA } = this.#config;
    this.#db = createDatabase<ApplicationsDatabase>({
      url: DATABASE_URL,
      schema: DB_SCHEMA,
      logger: this.#deps.logger,
    });
    await migrateToLatest(this.#db, { schema: DB_SCHEMA, migrations });
    return this.#db;
  }

  async #connectBus(): Promise<Bus> {
    const { NATS_URL, BUS_NAMESPACE } = this.#config;
    this.#bus = await connectBus({
      servers: NATS_URL,
      name: "applications",
      ns: BUS_NAMESPACE,
      logger: this.#deps.logger,
    });
    return this.#bus;
  }

  /** Reverse order: readiness off and no new calls, then stop intake, then close connections. */
  async stop(): Promise<void> {
    this.#grpc?.setServing(false);
    await this.#grpc?.shutdown();
    await this.#consumer?.stop();
    await this.#relay?.stop();
    await this.#bus?.close();
    this.#hosts?.close();
    await this.#db?.destroy();
    this.#grpc = this.#consumer = this.#relay = this.#bus = this.#hosts = this.#db = undefined;
  }
}
