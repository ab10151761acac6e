/** Fault-test harness: a private three-node NATS JetStream cluster and a private PostgreSQL. */

export type { NatsCluster, NatsClusterOptions, NatsNode } from "./nats-cluster.js";
export { startNatsCluster } from "./nats-cluster.js";
export type { PrivatePostgres, StopMode } from "./private-postgres.js";
export { startPrivatePostgres } from "./private-postgres.js";
