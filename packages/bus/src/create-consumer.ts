import type { ConsumerConfig, ConsumerInfo, JetStreamManager } from "nats";

/**
 * Creates a durable consumer, or brings an existing one to `config`. nats.js sends the action
 * "create", which NATS ≥ 2.10 refuses for an existing durable whose configuration changed (a new
 * release, another concurrency or delivery limit); the empty action is create-or-update, which the
 * implementation accepts but its public type does not declare. NATS 2.9 ignores the field.
 */
export function createOrUpdateConsumer(
  jsm: JetStreamManager,
  stream: string,
  config: Partial<ConsumerConfig>,
): Promise<ConsumerInfo> {
  const consumers = jsm.consumers as unknown as {
    add(stream: string, config: Partial<ConsumerConfig>, action: string): Promise<ConsumerInfo>;
  };
  return consumers.add(stream, config, "");
}
