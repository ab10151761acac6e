/**
 * stop() of a consumer whose in-flight handlers fill its concurrency and wait for
 * ctx.stopping (as slotGated's deploys waiting for a node slot do). messages.close() resolves only
 * when the pump iterates again, the pump waits in Promise.race(inFlight), and the handlers wait
 * for the signal that stop() aborts only after close(): nothing moves.
 */
import { generateServiceKeys } from "@proximity/identity";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type Bus,
  type ConsumerDefinition,
  createEventConsumer,
  DeliveryDeferred,
  defineConsumer,
  Events,
  eventSigner,
  eventVerifier,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus");
let bus: Bus;
const keys = await generateServiceKeys(["hosts"]);

beforeAll(async () => {
  bus = await openTestBus("consumer-stop");
});

afterAll(() => closeTestBus(bus));

/**
 * A consumer whose handlers each wait for ctx.stopping (as slotGated's deploys wait for a node
 * slot until the consumer stops), then defer; `waiting` counts the handlers that began to wait.
 */
function waitingConsumer(durable: ConsumerDefinition, concurrency: number) {
  const state = { waiting: 0 };
  const consumer = createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable,
    verifier: eventVerifier(keys.get("hosts")!),
    concurrency,
    ackWaitMs: 3_000,
    subscriptions: [
      subscribe(Events.HostRegistered, async (_p, ctx) => {
        state.waiting++;
        await new Promise<void>((resolve) => {
          if (ctx.stopping?.aborted) return resolve();
          ctx.stopping?.addEventListener("abort", () => resolve(), { once: true });
        });
        throw new DeliveryDeferred("stopped while waiting");
      }),
    ],
  });
  return { consumer, state };
}

/** Waits (up to 5 s) until `count` handlers wait. */
async function untilWaiting(state: { waiting: number }, count: number) {
  const deadline = Date.now() + 5_000;
  while (state.waiting < count && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  expect(state.waiting).toBe(count);
}

for (const recoversAbandoned of [false, true]) {
  it(`event consumer - stop() of a saturated consumer whose handlers wait for ctx.stopping returns (recoversAbandoned ${recoversAbandoned})`, async () => {
    const durable = defineConsumer("test", `edges2-stop-${recoversAbandoned}`, [Events.HostRegistered], {
      recoversAbandoned,
    });
    const { consumer, state } = waitingConsumer(durable, 1);
    await consumer.start();
    await publishSignedEvent(bus.js, bus.ns, eventSigner(keys.get("hosts")!), Events.HostRegistered, {
      hostId: `h-${recoversAbandoned}`,
      name: "pve",
    });
    await untilWaiting(state, 1);
    const stopped = await Promise.race([
      consumer.stop().then(() => "stopped"),
      new Promise((r) => setTimeout(() => r("still stopping after 5 s"), 5_000)),
    ]);
    expect(stopped).toBe("stopped");
  }, 20_000);
}

it("event consumer - a busy consumer whose handlers all wait for ctx.stopping raises no listener-leak warning", async () => {
  const concurrency = 16;
  const durable = defineConsumer("test", "edges2-stop-listeners", [Events.HostRegistered]);
  const warnings: Error[] = [];
  const onWarning = (w: Error) => warnings.push(w);
  process.on("warning", onWarning);
  const { consumer, state } = waitingConsumer(durable, concurrency);
  try {
    await consumer.start();
    const signer = eventSigner(keys.get("hosts")!);
    for (let i = 0; i < concurrency; i++)
      await publishSignedEvent(bus.js, bus.ns, signer, Events.HostRegistered, {
        hostId: `l-${i}`,
        name: "pve",
      });
    await untilWaiting(state, concurrency);
    // Warnings are emitted on the next tick.
    await new Promise((r) => setImmediate(r));
    expect(warnings.filter((w) => w.name === "MaxListenersExceededWarning")).toEqual([]);
  } finally {
    process.off("warning", onWarning);
    await consumer.stop();
  }
}, 20_000);
