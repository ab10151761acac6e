/**
 * retireDurable: a durable a release replaced is drained, and deleted only once a current producer
 * was heard from and no older one for a while (the producer's upgrade is over); replicas retiring it
 * at once never bring it back.
 * (Its permissions: nats-auth.test.ts.)
 */
import { generateServiceKeys } from "@proximity/identity";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually, testLogger } from "@proximity/testing";
import { AckPolicy } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bus,
  consumerFilterSubject,
  defineConsumer,
  type EventDefinition,
  Events,
  eventSigner,
  eventVerifier,
  retireDurable,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const logger = testLogger("bus");
const keys = await generateServiceKeys(["provisioner", "backups"]);
const Kind = provisionerEventsV1.OperationKind;
let admin: Bus;
let ns: string;

beforeAll(async () => {
  admin = await openTestBus("bus-test");
  ns = admin.ns;
});

afterAll(async () => {
  await closeTestBus(admin);
});

/** A retired durable as an earlier release left it, and what its handlers saw. */
async function retiredDurable(name: string) {
  const durable = defineConsumer("backups", name, [Events.OperationSucceeded]);
  await admin.jsm.consumers.add(streamName(ns, durable.stream), {
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    filter_subject: consumerFilterSubject(ns, durable),
  });
  const handled: string[] = [];
  const options = {
    js: admin.js,
    jsm: admin.jsm,
    ns,
    logger,
    durable,
    verifier: eventVerifier(keys.get("backups")!),
    subscriptions: [subscribe(Events.OperationSucceeded, async (e) => void handled.push(e.operationId))],
    pollMs: 100,
  };
  const exists = () =>
    admin.jsm.consumers.info(streamName(ns, durable.stream), name).then(
      () => true,
      () => false,
    );
  return { options, handled, exists };
}

/** An archive result as an older provisioner published it: on the event's own subject. */
async function publishAsOlderProvisioner(operationId: string) {
  const { variants: _variants, variantOf: _variantOf, ...older } = Events.OperationSucceeded;
  await publishSignedEvent(
    admin.js,
    ns,
    eventSigner(keys.get("provisioner")!),
    older as EventDefinition<provisionerEventsV1.OperationSucceeded>,
    Events.OperationSucceeded.codec.fromPartial({ operationId, kind: Kind.OPERATION_KIND_BACKUP }),
  );
}

/** An archive result as a current provisioner publishes it: on its variant's subject. */
async function publishAsCurrentProvisioner(operationId: string) {
  await publishSignedEvent(
    admin.js,
    ns,
    eventSigner(keys.get("provisioner")!),
    Events.OperationSucceeded,
    Events.OperationSucceeded.codec.fromPartial({ operationId, kind: Kind.OPERATION_KIND_BACKUP }),
  );
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("retireDurable", () => {
  it("kept until a current producer is heard from, then until no older one was for quietMs; what older ones publish meanwhile is handled", async () => {
    const { options, handled, exists } = await retiredDurable("retire-quiet");
    await publishAsOlderProvisioner("before-start");
    const retiring = retireDurable({ ...options, quietMs: 1_500 });
    await eventually(async () => handled.includes("before-start"), { what: "the left-behind result" });
    // Drained and quiet, but no current producer yet (consumers are upgraded first): kept.
    await pause(2_500);
    expect(await exists()).toBe(true);
    await publishAsCurrentProvisioner("current");
    await eventually(async () => handled.includes("current"), { what: "the current producer's result" });
    // An older replica still publishing: the quiet period starts again from it.
    const olderAt = Date.now();
    await publishAsOlderProvisioner("during-upgrade");
    await eventually(async () => handled.includes("during-upgrade"), { what: "the older producer's result" });
    await retiring.done;
    expect(Date.now() - olderAt).toBeGreaterThanOrEqual(1_500);
    expect(await exists()).toBe(false);
  });

  it("two replicas retiring it at once - drained, deleted, and never made again", async () => {
    const { options, handled, exists } = await retiredDurable("retire-together");
    for (let i = 0; i < 20; i++) await publishAsOlderProvisioner(`left-${i}`);
    await publishAsCurrentProvisioner("current");
    await Promise.all([
      retireDurable({ ...options, quietMs: 0 }).done,
      retireDurable({ ...options, quietMs: 0 }).done,
    ]);
    for (let i = 0; i < 20; i++) expect(handled).toContain(`left-${i}`);
    expect(await exists()).toBe(false);
    // A later start (another replica, a restart) finds nothing and makes nothing.
    await retireDurable({ ...options, quietMs: 0 }).done;
    await pause(300);
    expect(await exists()).toBe(false);
  });

  it("stop - ends the drain and leaves the durable for the next start", async () => {
    const { options, exists } = await retiredDurable("retire-stopped");
    const retiring = retireDurable({ ...options, quietMs: 60_000 });
    await pause(300);
    await retiring.stop();
    expect(await exists()).toBe(true);
  });
});
