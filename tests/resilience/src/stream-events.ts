import { eventOfType, untilLeaderAnswers } from "@proximity/bus";
import { connect } from "nats";

/** One message of a stream as it travelled: its catalog type (e.g. "AppDeployed") and decoded payload. */
export interface StoredEvent {
  readonly seq: number;
  readonly subject: string;
  readonly type: string;
  // biome-ignore lint/suspicious/noExplicitAny: asserted field by field in tests
  readonly data: any;
}

/**
 * Every message stream `stream` holds, decoded with the event catalog (undefined data for a
 * message of no catalog type, a dead letter's advisory say). Read over its own connection, waiting
 * out an election of the stream's leader (a server just restarted may still be catching up).
 */
export async function streamEvents(servers: string, stream: string): Promise<StoredEvent[]> {
  const nc = await connect({ servers: servers.split(","), name: "resilience-events" });
  try {
    const jsm = await nc.jetstreamManager({ timeout: 5_000 });
    const read = <T>(request: () => Promise<T>) => untilLeaderAnswers(request, { retryTimeouts: true });
    const { first_seq, last_seq, messages } = (await read(() => jsm.streams.info(stream))).state;
    const events: StoredEvent[] = [];
    for (let seq = first_seq; messages > 0 && seq <= last_seq; seq++) {
      const m = await read(() => jsm.streams.getMessage(stream, { seq }));
      const ceType = m.header?.get("ce-type") ?? "";
      const definition = ceType ? eventOfType(ceType) : undefined;
      events.push({
        seq,
        subject: m.subject,
        type: ceType.replace(/^proximity\.events\.v1\./, ""),
        data: definition?.codec.decode(m.data),
      });
    }
    return events;
  } finally {
    await nc.close();
  }
}

/** How many times each value of `key` occurs. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
