/**
 * a recovery waiting inside its hook (claimWhenFree on a held operation) when the consumer
 * stops: the stopping signal reaches the hook, stop() returns promptly, and the advisory is given
 * back at once (nak(0)), so another replica takes it without the 60 s retry delay.
 */
import { generateServiceKeys } from "@proximity/identity";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, expect, it } from "vitest";
import {
  type Bus,
  type ConsumerDefinition,
  createEventConsumer,
  defineConsumer,
  Events,
  eventSigner,
  eventVerifier,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus");
let bus: Bus;
const keys = await generateServiceKeys(["hosts"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  bus = await openTestBus("consumer-reader");
});

afterAll(() => closeTestBus(bus));

function consumerOf(durable: ConsumerDefinition, hookRuns: string[], ackWaitMs = 20_000) {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable,
    verifier: eventVerifier(keys.get("hosts")!),
    maxDeliver: 1,
    // Longer than the checks below (after the abandoning): only a nak(0) brings the advisory back in time.
    ackWaitMs,
    backoffBaseMs: 50,
    backoffMaxMs: 60_000, // the advisory's retry delay: a give-back must not wait for it
    subscriptions: [
      subscribe(
        Events.HostRegistered,
        async () => undefined,
        async (_p, ctx) => {
          hookRuns.push(ctx.eventId);
          // Held by a live worker: waits until the consumer stops, then gives up (as claimWhenFree).
          await new Promise<void>((resolve) => {
            if (ctx.stopping?.aborted) return resolve();
            ctx.stopping?.addEventListener("abort", () => resolve(), { once: true });
          });
          throw new Error("held");
        },
      ),
    ],
  });
}

it("event consumer - stopping during a held recovery returns at once and gives the advisory straight back", async () => {
  const durable = defineConsumer("test", "edges2-reader-stop", [Events.HostRegistered], {
    recoversAbandoned: true,
  });
  const runs: string[] = [];
  const first = consumerOf(durable, runs, 300);
  await first.start();
  await first.stop();
  await publishSignedEvent(bus.js, bus.ns, eventSigner(keys.get("hosts")!), Events.HostRegistered, {
    hostId: "h-held",
    name: "pve",
  });
  const raw = await bus.js.consumers.get(streamName(bus.ns, "HOSTS"), durable.name);
  for (let d = 0; d < 4; d++) {
    await raw.next({ expires: 5_000 });
  }
  // The server's advisory is out (it comes after the last delivery's ack_wait).
  const dl = streamName(bus.ns, "DEAD_LETTERS");
  const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName(bus.ns, "HOSTS")}.${durable.name}`;
  const advisoryBy = Date.now() + 10_000;
  while (Date.now() < advisoryBy) {
    const n = (await bus.jsm.streams.info(dl, { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
    if (n > 0) break;
    await sleep(100);
  }

  const second = consumerOf(durable, runs);
  await second.start();
  const deadline = Date.now() + 15_000;
  while (runs.length === 0 && Date.now() < deadline) await sleep(100);
  expect(runs).toHaveLength(1);
  const t0 = Date.now();
  await second.stop();
  expect(Date.now() - t0).toBeLessThan(2_000);

  const third = consumerOf(durable, runs);
  await third.start();
  try {
    const until = Date.now() + 5_000;
    while (runs.length < 2 && Date.now() < until) await sleep(100);
    expect(runs).toHaveLength(2);
  } finally {
    await third.stop();
  }
}, 40_000);
