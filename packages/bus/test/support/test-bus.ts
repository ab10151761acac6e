/**
 * A bus of its own for one test file: a fresh namespace on the tests' NATS server with every stream
 * declared (small), and its removal afterwards.
 */
import { testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import {
  ALL_STREAMS,
  type Bus,
  type ConsumerDefinition,
  connectBus,
  ensureStreams,
  streamName,
} from "../../src/index.js";

/** Small streams: the shared test server reserves what each stream may hold. */
const TEST_STREAM_LIMITS = { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };

export async function openTestBus(name: string): Promise<Bus> {
  const bus = await connectBus({
    servers: testServers().natsUrl,
    name,
    ns: uniqueNamespace(),
    logger: testLogger("bus"),
  });
  await ensureStreams(bus.jsm, bus.ns, TEST_STREAM_LIMITS);
  return bus;
}

export async function closeTestBus(bus: Bus | undefined): Promise<void> {
  if (!bus) return;
  for (const s of ALL_STREAMS) await bus.jsm.streams.delete(streamName(bus.ns, s)).catch(() => undefined);
  await bus.close();
}

/**
 * Takes every delivery the server allows one message of `durable` (one attempt and the 3 added for
 * crashed processes), each by a "process" that dies with it: no ack, no nak, the ack wait runs
 * out. Returns each delivery's count, as the server numbered it.
 */
export async function takeEveryDelivery(
  bus: Bus,
  durable: ConsumerDefinition,
  deliveries = 4,
): Promise<number[]> {
  const raw = await bus.js.consumers.get(streamName(bus.ns, durable.stream), durable.name);
  const counts: number[] = [];
  for (let d = 0; d < deliveries; d++) {
    const msg = await raw.next({ expires: 5_000 });
    counts.push(msg?.info.redeliveryCount ?? 0);
  }
  return counts;
}
