/**
 * The provisioner service: consumes app operation requests (deploy, start/stop/restart/update,
 * delete, clone, adopt) and archive requests (backup, restore, delete-backup), works on Proxmox,
 * observes the hosts' containers and backup storages, reports through its outbox (observations,
 * which change no state, straight to JetStream as snapshot events). start(): migrate → bus →
 * outbox relay → KV buckets → consumers → loops → gRPC serving.
 * stop(): the reverse (readiness off first; the consumers finish the operations in flight before
 * the relay publishes their last events and the connections close).
 */

import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import {
  Broadcasts,
  type ConsumerDefinition,
  connectBus,
  createBroadcastConsumer,
  createEventConsumer,
  createOutboxRelay,
  createSnapshotPublisher,
  Durables,
  eventSigner,
  eventVerifier,
} from "@proximity/bus";
import { databaseTimeouts } from "@proximity/config";
import { createDatabase, prepareSchema } from "@proximity/db";
import { createGrpcServer, type ServiceKeys } from "@proximity/grpc";
import type { Logger } from "@proximity/logger";
import { startMetricsServer } from "@proximity/metrics";
import { createBreakerRegistry, createSshExecutor } from "@proximity/proxmox";
import { defineService, type ServiceHandle } from "@proximity/service-kit";
import { noopTracer, type Telemetry } from "@proximity/telemetry";
import { startObservationLoop } from "./app/observe/observation-loop.js";
import type { OperationDeps } from "./app/operations/context.js";
import { createHostRecords } from "./app/operations/host-records.js";
import { createHostSessions } from "./app/operations/host-sessions.js";
import { createGuestVmids } from "./app/operations/placement/guest-vmids.js";
import { createProgressBatcher } from "./app/operations/progress-reporter.js";
import { slotGated } from "./app/operations/slot-gated.js";
import { startOrphanReconciler } from "./app/reconcile-orphans.js";
import type { ProvisionerConfig } from "./config.js";
import type { ProvisionerDatabase } from "./db/database.js";
import { provisionerMigrations } from "./db/migrations/index.js";
import { appActionRequestedSubscription } from "./events/handlers/app-action-requested.handler.js";
import { appAdoptRequestedSubscription } from "./events/handlers/app-adopt-requested.handler.js";
import { appCloneRequestedSubscription } from "./events/handlers/app-clone-requested.handler.js";
import { appDeleteRequestedSubscription } from "./events/handlers/app-delete-requested.handler.js";
import { appDeployRequestedSubscription } from "./events/handlers/app-deploy-requested.handler.js";
import { backupDeleteRequestedSubscription } from "./events/handlers/backup-delete-requested.handler.js";
import { backupRequestedSubscription } from "./events/handlers/backup-requested.handler.js";
import { hostCheckRequestedSubscription } from "./events/handlers/host-check-requested.handler.js";
import { hostConnectionChangedSubscription } from "./events/handlers/host-connection-changed.handler.js";
import { restoreRequestedSubscription } from "./events/handlers/restore-requested.handler.js";
import { SERVICE_NAME } from "./events/publish.js";
import { provisionerServiceRegistration } from "./grpc/server.js";
import { measuredLeases, measuredOperations, watchBreakers } from "./infra/metrics.js";
import { openNodeSlots } from "./infra/node-slots.js";
import { openObservationSlots } from "./infra/observation-slots.js";
import { createPeers } from "./infra/peers.js";
import { openVmidLeases } from "./infra/vmid-leases.js";

export interface ProvisionerServiceDeps {
  readonly logger: Logger;
  readonly keys: ServiceKeys;
  /** The service's tracing (createTelemetry); flushed when the service stops. Default: off. */
  readonly telemetry?: Telemetry;
}

/** Durable consumer of deploy requests (shared by all provisioner replicas; see Durables). */
export const DEPLOY_CONSUMER = Durables.provisionerDeploy.name;

/**
 * Durable consumer of archive requests (`backups.v1.archive.>` on the BACKUPS stream): backups and
 * restores run for hours, so they get their own concurrency and never hold up life-cycle requests.
 */
export const ARCHIVE_CONSUMER = Durables.provisionerArchives.name;

/**
 * Durable consumer of the other life-cycle requests (actions, delete, clone, adopt): its own
 * concurrency, so a burst of deploys never delays a stop.
 */
export const LIFECYCLE_CONSUMER = Durables.provisionerLifecycle.name;

export function createProvisionerService(
  config: ProvisionerConfig,
  deps: ProvisionerServiceDeps,
): ServiceHandle {
  const { logger, keys } = deps;
  const tracer = deps.telemetry?.tracer ?? noopTracer;
  // The provisioner's events are signed as it, whether the relay or the snapshot publisher sends them.
  const signer = eventSigner(keys);
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
    const db = createDatabase<ProvisionerDatabase>({
      url: config.DATABASE_URL,
      schema: config.DB_SCHEMA,
      logger,
      timeouts: databaseTimeouts(config),
      preparedStatements: config.DB_PREPARED_STATEMENTS,
    });
    onStop("database", () => db.destroy());
    await prepareSchema(db, {
      schema: config.DB_SCHEMA,
      migrations: provisionerMigrations,
      migrate: config.MIGRATE_ON_START,
    });

    const bus = await connectBus({
      servers: config.NATS_URL,
      name: SERVICE_NAME,
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
      signer,
      tracer,
    });
    relay.start();
    onStop("outbox relay", () => relay.stop());

    const peers = createPeers(
      { hosts: config.HOSTS_GRPC_ADDR, secrets: config.SECRETS_GRPC_ADDR },
      keys,
      tracer,
    );
    onStop("peer clients", () => peers.close());
    const breakers = createBreakerRegistry({ resetTimeout: config.PROVISIONER_BREAKER_RESET_MS });
    onStop("breakers", () => breakers.shutdown());
    onStop("breaker metrics", watchBreakers(breakers));
    const ssh = createSshExecutor({
      logger,
      connectTimeoutMs: config.SSH_CONNECT_TIMEOUT_MS,
      defaultTimeoutMs: config.SSH_COMMAND_TIMEOUT_MS,
      tracer,
    });
    onStop("ssh", () => ssh.close());
    const leases = measuredLeases(
      await openVmidLeases(bus.js, bus.ns, config.VMID_LEASE_TTL_MS, { declare: config.BUS_DECLARE_STREAMS }),
    );
    const hostSessions = createHostSessions({ ttlMs: config.HOST_SESSION_TTL_MS });
    onStop("host sessions", () => hostSessions.close());
    const hostRecords = createHostRecords({ maxAgeMs: config.HOST_RECORD_MAX_AGE_MS });
    const guestVmids = createGuestVmids({ maxAgeMs: config.GUEST_LIST_MAX_AGE_MS });
    // Plain-HTTP hosts would receive their credentials in clear: reached only on a developer's machine.
    const transport = { allowPlainHttp: config.PROXIMITY_MODE === "development" };

    // Stopped after the consumers (registered before them): what their attempts left is written.
    const progress = createProgressBatcher({ db, batchMs: config.PROGRESS_BATCH_MS, log: logger });
    onStop("progress", () => progress.close());
    const operationDeps: OperationDeps = {
      db,
      peers,
      leases,
      ssh,
      breakers,
      hostSessions,
      hostRecords,
      guestVmids,
      transport,
      logger,
      workerId: `${hostname()}:${process.pid}:${randomBytes(4).toString("hex")}`,
      tracer,
      progress,
      settings: {
        lxcTemplate: config.LXC_TEMPLATE,
        lxcStorage: config.LXC_STORAGE,
        lxcBridge: config.LXC_BRIDGE,
        taskTimeoutMs: config.TASK_TIMEOUT_MS,
        backupTaskTimeoutMs: config.BACKUP_TASK_TIMEOUT_MS,
        taskPollIntervalMs: config.TASK_POLL_INTERVAL_MS,
        sshCommandTimeoutMs: config.SSH_COMMAND_TIMEOUT_MS,
        sshLongCommandTimeoutMs: config.SSH_LONG_COMMAND_TIMEOUT_MS,
        claimTtlMs: config.OPERATION_CLAIM_TTL_MS,
        // The bucket's TTL, setup's (VMID_LEASE_TTL_MS only sizes a bucket the service declares).
        leaseTtlMs: leases.ttlMs,
        shutdownTimeoutMs: config.STOP_SHUTDOWN_TIMEOUT_MS,
        updateHealthTimeoutMs: config.UPDATE_HEALTH_TIMEOUT_MS,
        updateHealthIntervalMs: config.UPDATE_HEALTH_INTERVAL_MS,
      },
    };
    // Every consumer checks each request's producer and signature before acting on it: a forged
    // request has no effect at all (no step, no failure event).
    const verifier = eventVerifier(keys);
    // Started before any operation consumer: no operation keeps a host's record without hearing
    // of the host's changes.
    const hostConnections = createBroadcastConsumer({
      bus,
      logger,
      consumer: Broadcasts.provisionerHostConnections,
      verifier,
      subscriptions: [hostConnectionChangedSubscription({ hostRecords, hostSessions })],
    });
    await hostConnections.start();
    onStop("host connection changes", () => hostConnections.stop());
    const operationConsumer = (
      durable: ConsumerDefinition,
      subscriptions: Parameters<typeof createEventConsumer>[0]["subscriptions"],
      concurrency: number,
    ) =>
      createEventConsumer({
        js: bus.js,
        jsm: bus.jsm,
        ns: bus.ns,
        logger,
        durable,
        verifier,
        subscriptions: subscriptions.map((sub) => measuredOperations(sub)),
        tracer,
        maxDeliver: config.PROVISIONER_MAX_DELIVER,
        backoffBaseMs: config.PROVISIONER_BACKOFF_BASE_MS,
        backoffMaxMs: config.PROVISIONER_BACKOFF_MAX_MS,
        concurrency,
        // Equal to the claim TTL: see OPERATION_CLAIM_TTL_MS.
        ackWaitMs: config.OPERATION_CLAIM_TTL_MS,
      });
    // Deploys wait (holding no worker) for a slot on their node and host, platform-wide: many in
    // flight per process, few at work per node. Life-cycle requests are not gated: a deploy burst
    // never delays a stop.
    const nodeSlots = await openNodeSlots(bus.js, bus.ns, {
      limits: {
        node: config.PROVISIONER_NODE_CONCURRENCY,
        host: config.PROVISIONER_HOST_CONCURRENCY,
        nodeOverrides: config.PROVISIONER_NODE_CONCURRENCY_OVERRIDES,
        hostOverrides: config.PROVISIONER_HOST_CONCURRENCY_OVERRIDES,
      },
      ttlMs: config.PROVISIONER_SLOT_TTL_MS,
      pollMs: config.PROVISIONER_SLOT_POLL_MS,
      workerId: operationDeps.workerId,
      logger,
      declare: config.BUS_DECLARE_STREAMS,
    });
    // Registered before the consumers: stopped after them (their held slots are released first).
    onStop("node slots", () => nodeSlots.close());
    const consumer = operationConsumer(
      Durables.provisionerDeploy,
      [slotGated(nodeSlots, appDeployRequestedSubscription(operationDeps))],
      config.PROVISIONER_CONCURRENCY,
    );
    await consumer.start();
    onStop("deploy consumer", () => consumer.stop());
    const lifecycle = operationConsumer(
      Durables.provisionerLifecycle,
      [
        appActionRequestedSubscription(operationDeps),
        appDeleteRequestedSubscription(operationDeps),
        appCloneRequestedSubscription(operationDeps),
        appAdoptRequestedSubscription(operationDeps),
      ],
      config.PROVISIONER_LIFECYCLE_CONCURRENCY,
    );
    await lifecycle.start();
    onStop("life-cycle consumer", () => lifecycle.stop());
    const archives = operationConsumer(
      Durables.provisionerArchives,
      [
        backupRequestedSubscription(operationDeps),
        restoreRequestedSubscription(operationDeps),
        backupDeleteRequestedSubscription(operationDeps),
      ],
      config.PROVISIONER_ARCHIVE_CONCURRENCY,
    );
    await archives.start();
    onStop("archive consumer", () => archives.stop());
    // Host checks: a failed check is a reported result, so only peer failures are retried, briefly.
    const hostChecks = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns: bus.ns,
      logger,
      durable: Durables.provisionerHostChecks,
      verifier,
      subscriptions: [
        hostCheckRequestedSubscription({
          db,
          peers,
          logger,
          transport,
          timeoutMs: config.HOST_CHECK_TIMEOUT_MS,
        }),
      ],
      maxDeliver: 3,
      concurrency: 4,
      tracer,
    });
    await hostChecks.start();
    onStop("host check consumer", () => hostChecks.stop());
    const reconciler = startOrphanReconciler(operationDeps, config.ORPHAN_RECONCILE_INTERVAL_MS);
    onStop("orphan reconciler", () => reconciler.stop());
    const slots = await openObservationSlots(bus.js, bus.ns, config.OBSERVE_INTERVAL_MS, {
      declare: config.BUS_DECLARE_STREAMS,
    });
    const observations = startObservationLoop(
      {
        snapshots: createSnapshotPublisher({ js: bus.js, ns: bus.ns, signer, tracer }),
        peers,
        logger,
        transport,
        timeoutMs: config.OBSERVE_TIMEOUT_MS,
        nodeConcurrency: config.OBSERVE_NODE_CONCURRENCY,
        maxArchivesPerStorage: config.OBSERVE_BACKUPS_MAX_ARCHIVES,
      },
      slots,
      {
        intervalMs: config.OBSERVE_INTERVAL_MS,
        concurrency: config.OBSERVE_CONCURRENCY,
        backupsEveryRounds: config.OBSERVE_BACKUPS_EVERY_ROUNDS,
        clientTtlMs: config.HOST_SESSION_TTL_MS,
      },
    );
    onStop("container observations", () => observations.stop());

    const grpc = createGrpcServer({
      logger,
      keys,
      host: config.GRPC_HOST,
      port: config.GRPC_PORT,
      services: [
        provisionerServiceRegistration({
          db,
          bus,
          keys,
          logger,
          verifier,
          breakers,
          tracer,
          replica: operationDeps.workerId,
          hostContainers: { peers, logger, breakers, transport, timeoutMs: config.OBSERVE_TIMEOUT_MS },
        }),
      ],
    });
    const grpcPort = await grpc.start();
    onStop("grpc", () => grpc.shutdown());
    grpc.setServing(true);
    logger.info({ grpcPort, namespace: bus.ns }, "provisioner ready");
    return { grpcPort };
  });
}
