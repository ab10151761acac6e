/**
 * retireDurable: a durable a release replaced is drained, and deleted only once no older producer
 * is heard from (a rolling upgrade is over); replicas retiring it at once never bring it back.
 * (Its permissions: nats-auth.test.ts.)
 */
import { generateServiceKeys } from "@proximity/identity";
import { provisionerEventsV1 } from "@proximity/proto";
import { eventually, testLogger, testServers, uniqueNamespace } from "@proximity/testing";
import { AckPolicy } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Bus,
  connectBus,
  consumerFilterSubject,
  defineConsumer,
  type EventDefinition,
  Events,
  ensureStreams,
  eventSigner,
  eventVerifier,
  retireDurable,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";

const logger = testLogger("bus");
const keys = await generateServiceKeys(["provisioner", "backups"]);
const ns = uniqueNamespace();
const Kind = provisionerEventsV1.OperationKind;
let admin: Bus;

beforeAll(async () => {
  admin = await connectBus({ servers: testServers().natsUrl, name: "bus-test", ns, logger });
  await ensureStreams(admin.jsm, ns, { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 });
});

afterAll(async () => {
  for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
    await admin.jsm.streams.delete(streamName(ns, s)).catch(() => undefined);
  await admin.close();
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

describe("retireDurable", () => {
  it("an older producer still publishing keeps the durable until it was quiet for quietMs; what it publishes meanwhile is handled", async () => {
    const { options, handled, exists } = await retiredDurable("retire-quiet");
    await publishAsOlderProvisioner("before-start");
    const retiring = retireDurable({ ...options, quietMs: 3_000 });
    await eventually(async () => handled.includes("before-start"), { what: "the left-behind result" });
    // A result on its variant subject (a current producer) does not count as an older one.
    await publishSignedEvent(
      admin.js,
      ns,
      eventSigner(keys.get("provisioner")!),
      Events.OperationSucceeded,
      Events.OperationSucceeded.codec.fromPartial({
        operationId: "current",
        kind: Kind.OPERATION_KIND_BACKUP,
      }),
    );
    await eventually(async () => handled.includes("current"), { what: "the current producer's result" });
    await publishAsOlderProvisioner("during-upgrade");
    await eventually(async () => handled.includes("during-upgrade"), { what: "the older producer's result" });
    const heardAt = Date.now();
    expect(await exists()).toBe(true);
    await retiring.done;
    expect(Date.now() - heardAt).toBeGreaterThanOrEqual(2_500);
    expect(await exists()).toBe(false);
  });

  it("two replicas retiring it at once - drained, deleted, and never made again", async () => {
    const { options, handled, exists } = await retiredDurable("retire-together");
    for (let i = 0; i < 20; i++) await publishAsOlderProvisioner(`left-${i}`);
    await Promise.all([
      retireDurable({ ...options, quietMs: 0 }).done,
      retireDurable({ ...options, quietMs: 0 }).done,
    ]);
    for (let i = 0; i < 20; i++) expect(handled).toContain(`left-${i}`);
    expect(await exists()).toBe(false);
    // A later start (another replica, a restart) finds nothing and makes nothing.
    await retireDurable({ ...options, quietMs: 0 }).done;
    await new Promise((r) => setTimeout(r, 300));
    expect(await exists()).toBe(false);
  });

  it("stop - ends the drain and leaves the durable for the next start", async () => {
    const { options, exists } = await retiredDurable("retire-stopped");
    const retiring = retireDurable({ ...options, quietMs: 60_000 });
    await new Promise((r) => setTimeout(r, 300));
    await retiring.stop();
    expect(await exists()).toBe(true);
  });
});
