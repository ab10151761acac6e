/**
 * Configuration of the provisioner: the only service holding Proxmox credentials (it fetches them
 * from the secrets service per operation and keeps them in memory only).
 */
import { baseServiceEnv, env, loadConfig } from "@proximity/config";
import { z } from "zod";
import { parseLimitOverrides } from "./domain/slot-limits.js";

/** `<key>=<n>,…` parsed at start: a typo fails the start, naming the entry. */
const limitOverrides = () =>
  z
    .string()
    .default("")
    .transform((text, ctx) => {
      try {
        return parseLimitOverrides(text);
      } catch (err) {
        ctx.addIssue({ code: "custom", message: (err as Error).message });
        return z.NEVER;
      }
    });

export const provisionerConfigSchema = z.object({
  ...baseServiceEnv,
  /** PostgreSQL holding the operation journal (own schema). */
  DATABASE_URL: env.postgresUrl(),
  /** Schema of the journal, outbox and inbox. */
  DB_SCHEMA: env.sqlIdentifier("provisioner"),
  NATS_URL: env.natsServers(),
  /** gRPC port of ProvisionerService (GetOperation, ListDeadLetters). */
  GRPC_PORT: env.port(50055),
  /** hosts service: where a host is and which secrets hold its credentials. */
  HOSTS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50052"),
  /** secrets service: credential values and the generated root passwords. */
  SECRETS_GRPC_ADDR: z.string().min(1).default("127.0.0.1:50054"),
  /** Deliveries of a deploy request before it is given up (failed event + dead letter). */
  PROVISIONER_MAX_DELIVER: z.coerce.number().int().min(1).max(100).default(5),
  /** First retry delay; doubles per attempt up to the maximum. */
  PROVISIONER_BACKOFF_BASE_MS: env.millis(2_000),
  PROVISIONER_BACKOFF_MAX_MS: env.millis(60_000),
  /**
   * Deploy requests in flight in this process: working, or waiting for a slot on their node.
   * Waiting costs no worker (a timer per message), so it is high; the real bound on work is
   * PROVISIONER_NODE_CONCURRENCY and PROVISIONER_HOST_CONCURRENCY, platform-wide.
   */
  PROVISIONER_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(256),
  /** Deploys working on one node at once, across every replica (per-node: see the overrides). */
  PROVISIONER_NODE_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(4),
  /** Deploys working on all nodes of one host (one Proxmox API) at once, across every replica. */
  PROVISIONER_HOST_CONCURRENCY: z.coerce.number().int().min(1).max(4096).default(16),
  /** Per-host and per-node node limits: `<hostId>=<n>,<hostId>/<node>=<n>` (a node's beats its host's). */
  PROVISIONER_NODE_CONCURRENCY_OVERRIDES: limitOverrides(),
  /** Per-host host limits: `<hostId>=<n>,…`. */
  PROVISIONER_HOST_CONCURRENCY_OVERRIDES: limitOverrides(),
  /**
   * Life of a node slot its replica does not renew (renewed every third of it): how long a
   * crashed replica's slots stay taken. At most the node_slots bucket's TTL (10 min).
   */
  PROVISIONER_SLOT_TTL_MS: env.millis(30_000),
  /** How often a queue waiting at a full node looks again (slots freed by other replicas). */
  PROVISIONER_SLOT_POLL_MS: env.millis(250),
  /**
   * Life-cycle requests (start, stop, restart, update, delete, clone, adopt) in flight in this
   * process: their own lane, never behind deploys.
   */
  PROVISIONER_LIFECYCLE_CONCURRENCY: z.coerce.number().int().min(1).max(1024).default(16),
  /** Backups, restores and archive deletions at once in this process (hours long, disk heavy). */
  PROVISIONER_ARCHIVE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Life of a VMID lease when the service declares its KV bucket itself (BUS_DECLARE_STREAMS);
   * otherwise the bucket setup declared says (KvBuckets.vmidLeases, 60 s). Renewed every third of it.
   */
  VMID_LEASE_TTL_MS: env.millis(60_000),
  /**
   * Life of a worker's claim on an operation (renewed every third of it). Also the consumer's
   * ack wait: a crashed worker's request is redelivered only after that long, when its claim
   * (renewed until the crash) has expired, so the redelivery can take the operation over at once.
   */
  OPERATION_CLAIM_TTL_MS: env.millis(30_000),
  /**
   * Container template every app container is created from. Docker and `docker compose` come from
   * its distribution's packages (domain/deploy-scripts.ts): Debian 13 or Ubuntu 24.04, not Debian 12.
   */
  LXC_TEMPLATE: z.string().min(1).default("local:vztmpl/debian-13-standard_13.1-2_amd64.tar.zst"),
  /** Storage of the root disk. */
  LXC_STORAGE: z.string().min(1).default("local-lvm"),
  /** Bridge of net0. */
  LXC_BRIDGE: z.string().min(1).default("vmbr0"),
  /** Longest wait for one Proxmox task (create, start, delete). */
  TASK_TIMEOUT_MS: env.millis(600_000),
  /**
   * Longest wait for a backup (vzdump) or restore task: they copy a whole disk, so they get far
   * longer than TASK_TIMEOUT_MS (default 4 h).
   */
  BACKUP_TASK_TIMEOUT_MS: env.millis(4 * 60 * 60_000),
  /** First task poll interval (grows by half each poll, to 1 s, then a tenth of the task's age up to 5 s); real tasks take seconds, simulators milliseconds. */
  TASK_POLL_INTERVAL_MS: env.millis(250),
  /** How often half-built containers of failed deploys (host unreachable at cleanup) are retried. */
  ORPHAN_RECONCILE_INTERVAL_MS: env.millis(60_000),
  /** Time a host's circuit breaker stays open before one trial call. */
  PROVISIONER_BREAKER_RESET_MS: env.millis(30_000),
  /**
   * Longest life of a host's shared client and credentials (operations and observations): they
   * are read from the secrets service again at least this often per host and replica (sooner when
   * the host's record changes or an attempt on it failed).
   */
  HOST_SESSION_TTL_MS: env.millis(600_000),
  /**
   * Longest an operation may use a host's record (address, TLS, nodes, pinned keys) read by an
   * earlier one: it is read again sooner when the hosts service reports a change
   * (HostConnectionChanged) or an attempt on the host failed. 0 = every operation reads it.
   */
  HOST_RECORD_MAX_AGE_MS: z.coerce.number().int().min(0).max(300_000).default(30_000),
  /**
   * Longest placements on a host share one listing of its guests' VMIDs (fetched and parsed whole;
   * a guest made outside Proximity since is refused at creation and another VMID chosen). At most
   * 10 s: sharing the listing in flight gives most of the gain. 0 = every placement lists them.
   */
  GUEST_LIST_MAX_AGE_MS: z.coerce.number().int().min(0).max(10_000).default(2_000),
  SSH_CONNECT_TIMEOUT_MS: env.millis(30_000),
  /** Deadline of short in-container commands (writing files, status checks). */
  SSH_COMMAND_TIMEOUT_MS: env.millis(60_000),
  /** Deadline of long in-container commands (installing Docker, pulling images). */
  SSH_LONG_COMMAND_TIMEOUT_MS: env.millis(900_000),
  /** Deadline of each Proxmox call of a host check (version, nodes): a check must answer fast. */
  HOST_CHECK_TIMEOUT_MS: env.millis(5_000),
  /**
   * Graceful shutdown allowance of a stop (passed to Proxmox as the shutdown timeout); a container
   * still running after it is stopped hard.
   */
  STOP_SHUTDOWN_TIMEOUT_MS: env.millis(60_000),
  /** How long an updated app may take until every service runs (and none is unhealthy) before it is rolled back. */
  UPDATE_HEALTH_TIMEOUT_MS: env.millis(120_000),
  /** Pause between two health checks of an updated app. */
  UPDATE_HEALTH_INTERVAL_MS: env.millis(2_000),
  /**
   * Longest wait of an operation's progress line for the lines after it: steps that finish within
   * it, of every operation the replica runs, share one OperationsProgressed event (app logs show a
   * step at most this much later). 0: no waiting (only the lines of one moment share an event).
   */
  PROGRESS_BATCH_MS: z.coerce.number().int().min(0).max(60_000).default(250),
  /**
   * How often each registered host's containers are observed (ContainersObserved per node). Once
   * per interval across all replicas: a NATS KV key per host and interval decides who observes.
   * At most as long as that bucket keeps a key (KvBuckets.observationSlots: 2 h), or the service refuses to start.
   */
  OBSERVE_INTERVAL_MS: env.millis(15_000),
  /** Hosts observed at once by this process. */
  OBSERVE_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /**
   * Nodes of one host observed at once. Default 1: the host's calls follow one another on one
   * keep-alive connection. Proxmox closes idle connections after 5 s, so every round opens a TLS
   * connection per host, and each node listed in parallel opened one more: TLS set-up is the
   * largest part of the provisioner's CPU at 1,000 hosts (docs/benchmarks.md).
   */
  OBSERVE_NODE_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  /** Deadline of each Proxmox call of an observation (a host that does not answer publishes nothing). */
  OBSERVE_TIMEOUT_MS: env.millis(5_000),
  /** Backup storages are listed on every n-th observation round only (default 4: every minute). */
  OBSERVE_BACKUPS_EVERY_ROUNDS: z.coerce.number().int().min(1).max(1000).default(4),
  /**
   * Most Proximity archives one storage may report in one BackupsObserved (about 100 bytes each).
   * A storage holding more is not reported at all (a warning with the count is logged): one
   * message must stay under NATS' payload limit, or it is never published.
   */
  OBSERVE_BACKUPS_MAX_ARCHIVES: z.coerce.number().int().min(1).max(10_000).default(5_000),
});

export type ProvisionerConfig = Readonly<z.output<typeof provisionerConfigSchema>>;

/** Parses the environment (call from main.ts, never at import time). */
export function loadProvisionerConfig(
  source: Record<string, string | undefined> = process.env,
): ProvisionerConfig {
  return loadConfig(provisionerConfigSchema, source);
}
