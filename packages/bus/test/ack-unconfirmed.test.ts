/**
 * A handler that did its work but whose acknowledgement never reached the server (the connection
 * lost, a stream leader changing: issue 12's leader-change test) must not be reported as failed:
 * before, the failed ackAck fell into the handler-failure path, and on the last attempt ran
 * onExhausted (a "failed" event for work that succeeded) and dead-lettered the message.
 */
import { generateServiceKeys } from "@proximity/identity";
import { eventually, testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bus,
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
const keys = await generateServiceKeys(["provisioner", "hosts"]);
let admin: Bus;
let ns: string;

beforeAll(async () => {
  admin = await openTestBus("bus-test");
  ns = admin.ns;
});

afterAll(async () => {
  await closeTestBus(admin);
});

describe("event consumer, acknowledgement lost", () => {
  it("ack unconfirmed - a handled message whose ack fails on its last attempt is neither exhausted nor dead-lettered", async () => {
    // The handler deletes its durable once its work is done: the server answers no ack for it,
    // and the ack times out (after 1 s: the consumer's JetStream client's timeout).
    const handled: string[] = [];
    const exhausted: string[] = [];
    const durable = defineConsumer("test", "ack-lost", [Events.OperationSucceeded]);
    const consumer = createEventConsumer({
      js: admin.nc.jetstream({ timeout: 1_000 }),
      jsm: admin.jsm,
      ns,
      logger,
      durable,
      verifier: eventVerifier(keys.get("hosts")!),
      // One delivery only: the first attempt is the last, and ack_wait outlasts the test.
      maxDeliver: 1,
      ackWaitMs: 60_000,
      subscriptions: [
        subscribe(
          Events.OperationSucceeded,
          async (payload) => {
            await admin.jsm.consumers.delete(streamName(ns, "PROVISIONER"), durable.name);
            handled.push(payload.operationId);
          },
          async (payload) => {
            exhausted.push(payload.operationId);
          },
        ),
      ],
    });
    await consumer.start();
    await publishSignedEvent(admin.js, ns, eventSigner(keys.get("provisioner")!), Events.OperationSucceeded, {
      operationId: "op-ack-lost",
      kind: 1,
      appId: "a",
      hostId: "h",
      node: "n",
      vmid: 100,
      ipAddress: "",
      containerStatus: "running",
      adopted: undefined,
      message: "",
      archive: undefined,
      backupId: "",
      progress: [],
    });
    await eventually(async () => handled.length === 1, { what: "the handler's work" });
    // Past the ack's timeout, and whatever the failure path would have done after it.
    await new Promise((r) => setTimeout(r, 2_000));
    await consumer.stop();
    expect(handled).toEqual(["op-ack-lost"]);
    expect(exhausted, "onExhausted of a handled message").toEqual([]);
    const deadLetters = await admin.jsm.streams.info(streamName(ns, "DEAD_LETTERS"));
    expect(deadLetters.state.messages).toBe(0);
  });
});
