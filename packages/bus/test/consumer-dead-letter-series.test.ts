/**
 * ProximityDeadLettersGrowing is `increase(proximity_bus_dead_letters_total[15m]) > 0`.
 * A series that first appears at 1 has no earlier sample, so increase() reads 0 and the alert does
 * not fire. The series must exist (at 0) from the consumer's start; the "abandoned" one matters
 * most: a recovery is usually a process's first and only abandoned dead letter.
 */
import { generateServiceKeys } from "@proximity/identity";
import { metricsRegistry } from "@proximity/metrics";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type Bus,
  createEventConsumer,
  defineConsumer,
  Events,
  eventVerifier,
  subscribe,
} from "../src/index.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus");
let bus: Bus;
const keys = await generateServiceKeys(["hosts"]);

beforeAll(async () => {
  bus = await openTestBus("consumer-series");
});

afterAll(() => closeTestBus(bus));

it("event consumer - a started consumer exposes its dead-letter series at 0, so the first dead letter is an increase", async () => {
  const durable = defineConsumer("test", "edges2-series", [Events.HostRegistered], {
    recoversAbandoned: true,
  });
  const consumer = createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable,
    verifier: eventVerifier(keys.get("hosts")!),
    subscriptions: [
      subscribe(
        Events.HostRegistered,
        async () => undefined,
        async () => undefined,
      ),
    ],
  });
  await consumer.start();
  try {
    const metric = (await metricsRegistry().getMetricsAsJSON()).find(
      (m) => m.name === "proximity_bus_dead_letters_total",
    );
    const reasons = (metric?.values ?? [])
      .filter((v) => v.labels.consumer === durable.name)
      .map((v) => `${v.labels.reason}=${v.value}`)
      .sort();
    expect(reasons).toEqual(["abandoned=0", "exhausted=0", "refused=0", "undecodable=0"]);
  } finally {
    await consumer.stop();
  }
});
