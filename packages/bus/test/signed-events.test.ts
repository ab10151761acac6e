/**
 * Signed events on real JetStream: a consumer acts only on its producer's signed event; anything
 * else (unsigned, signed by another service, a type on another event's subject, a changed
 * payload) is dead-lettered at once with no handler and no onExhausted call, and logged without
 * its payload.
 */
import { randomUUID } from "node:crypto";
import { Writable } from "node:stream";
import { generateServiceKeys } from "@proximity/identity";
import { createLogger } from "@proximity/logger";
import { applicationsEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import {
  Broadcasts,
  type Bus,
  createBroadcastConsumer,
  createEventConsumer,
  Durables,
  type EventConsumer,
  type EventSigner,
  Events,
  envelopeHeaders,
  eventSigner,
  eventVerifier,
  newTraceparent,
  SIGNATURE_HEADER,
  streamName,
  subjectOf,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus } from "./support/test-bus.js";

const keys = await generateServiceKeys(["applications", "hosts", "provisioner"]);
const signer = (service: string) => eventSigner(keys.get(service)!);
const verifier = eventVerifier(keys.get("provisioner")!);
const SECRET = "payload-marker-7f3a9c";

const lines: string[] = [];
const logger = createLogger(
  { service: "signed-events-test", level: "debug" },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString("utf8"));
      done();
    },
  }),
);

let bus: Bus;
let deploy: EventConsumer;
let broadcast: EventConsumer[] = [];
const handled: string[] = [];
const exhausted: string[] = [];
const reloads: string[][] = [[], []];

const deployRequest = (appId: string) =>
  applicationsEventsV1.AppDeployRequested.fromPartial({
    operationId: randomUUID(),
    appId,
    compose: `services: { web: { image: "${SECRET}" } }`,
  });

beforeAll(async () => {
  bus = await openTestBus("signed-test");
  // The provisioner's deploy consumer as the service builds it; its onExhausted would report a failure.
  deploy = createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable: Durables.provisionerDeploy,
    verifier,
    maxDeliver: 1,
    subscriptions: [
      subscribe(
        Events.AppDeployRequested,
        async (request) => {
          handled.push(request.appId);
          if (request.appId.startsWith("fails-")) throw new Error("handler failed");
        },
        async (request) => {
          exhausted.push(request.appId);
        },
      ),
    ],
  });
  await deploy.start();
  broadcast = await Promise.all(
    reloads.map(async (seen) => {
      const c = createBroadcastConsumer({
        bus,
        logger,
        consumer: Broadcasts.applicationsCatalogReload,
        verifier,
        subscriptions: [subscribe(Events.CatalogReloadRequested, async (e) => void seen.push(e.requestedBy))],
      });
      await c.start();
      return c;
    }),
  );
});

afterAll(async () => {
  await deploy.stop();
  for (const c of broadcast) await c.stop();
  await closeTestBus(bus);
});

beforeEach(() => {
  lines.length = 0;
});

/** Dead letters of `consumer` so far, by the `ce-id` of the original message. */
async function deadLetters(consumer: string): Promise<Map<string, { reason: string; deliveries: string }>> {
  const name = streamName(bus.ns, "DEAD_LETTERS");
  const { state } = await bus.jsm.streams.info(name);
  const out = new Map<string, { reason: string; deliveries: string }>();
  for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
    const m = await bus.jsm.streams.getMessage(name, { seq }).catch(() => null);
    if (m?.subject !== `${bus.ns}.deadletters.${consumer}`) continue;
    out.set(m.header.get("ce-id"), {
      reason: m.header.get("proximity-dlq-reason"),
      deliveries: m.header.get("proximity-dlq-deliveries"),
    });
  }
  return out;
}

/** Publishes raw bytes and headers on the deploy subject (what a forger on the bus could send). */
async function publishRaw(headers: ReturnType<typeof envelopeHeaders>, data: Uint8Array, subject?: string) {
  await bus.js.publish(subject ?? subjectOf(bus.ns, Events.AppDeployRequested.subject), data, { headers });
}

/** A signer that claims to be `claimed` but holds `actual`'s key. */
const impostor = (claimed: string, actual: string): EventSigner => ({
  service: claimed,
  sign: signer(actual).sign,
});

async function expectRefused(id: string, appId: string, reason: string): Promise<void> {
  const dlq = await eventually(async () => (await deadLetters(Durables.provisionerDeploy.name)).get(id), {
    what: `dead letter of ${id}`,
  });
  expect(dlq).toEqual({ reason: `refused: ${reason}`, deliveries: "1" });
  expect(handled).not.toContain(appId);
  expect(exhausted).not.toContain(appId);
  const warn = lines.map((l) => JSON.parse(l)).find((l) => l.level === "warn" && l.reason === reason);
  expect(warn).toMatchObject({ consumer: Durables.provisionerDeploy.name, subject: expect.any(String) });
  // Nothing of the refused message (its payload, its claimed identity) is logged.
  expect(lines.join("\n")).not.toContain(SECRET);
}

describe("signed events", () => {
  it("signed events - the producer's signed event is handled, and its signature covers subject, envelope and payload", async () => {
    const ack = await publishSignedEvent(
      bus.js,
      bus.ns,
      signer("applications"),
      Events.AppDeployRequested,
      deployRequest("genuine"),
    );
    await eventually(async () => handled.includes("genuine"), { what: "the genuine request" });
    const stored = await bus.jsm.streams.getMessage(streamName(bus.ns, "APPLICATIONS"), { seq: ack.seq });
    expect(stored.header.get(SIGNATURE_HEADER)).toMatch(/^v1\./);
    expect(lines.join("\n")).not.toContain("event refused");
  });

  it("signed events - an unsigned event is dead-lettered at once, never handled, no onExhausted", async () => {
    const id = randomUUID();
    const headers = envelopeHeaders({
      id,
      type: Events.AppDeployRequested.type,
      source: "applications",
      time: new Date().toISOString(),
      traceparent: newTraceparent(),
    });
    await publishRaw(headers, Events.AppDeployRequested.codec.encode(deployRequest("unsigned")).finish());
    await expectRefused(id, "unsigned", "unsigned");
  });

  it("signed events - an event signed by another service claiming to be the producer is refused", async () => {
    const id = randomUUID();
    await publishSignedEvent(
      bus.js,
      bus.ns,
      impostor("applications", "hosts"),
      Events.AppDeployRequested,
      deployRequest("impostor"),
      { id },
    );
    await expectRefused(id, "impostor", "bad signature");
  });

  it("signed events - an event signed by another service as itself is refused (not the producer)", async () => {
    const id = randomUUID();
    await publishSignedEvent(
      bus.js,
      bus.ns,
      signer("hosts"),
      Events.AppDeployRequested,
      deployRequest("hosts"),
      {
        id,
      },
    );
    await expectRefused(id, "hosts", "source is not the event's producer");
  });

  it("signed events - a type published on another event's subject is refused, even signed by the producer", async () => {
    const id = randomUUID();
    const subject = subjectOf(bus.ns, Events.AppDeployRequested.subject);
    // A delete request, correctly signed by the applications service, but sent to the deploy subject.
    const data = Events.AppDeleteRequested.codec
      .encode(applicationsEventsV1.AppDeleteRequested.fromPartial({ appId: "mismatch" }))
      .finish();
    const { signedEnvelopeHeaders } = await import("../src/envelope.js");
    const headers = signedEnvelopeHeaders(
      signer("applications"),
      subject,
      {
        id,
        type: Events.AppDeleteRequested.type,
        time: new Date().toISOString(),
        traceparent: newTraceparent(),
      },
      data,
    );
    await publishRaw(headers, data, subject);
    await expectRefused(id, "mismatch", "subject does not match the event type");
  });

  it("signed events - a payload changed after signing is refused", async () => {
    const id = randomUUID();
    const subject = subjectOf(bus.ns, Events.AppDeployRequested.subject);
    const { signedEnvelopeHeaders } = await import("../src/envelope.js");
    const signed = Events.AppDeployRequested.codec.encode(deployRequest("original")).finish();
    const headers = signedEnvelopeHeaders(
      signer("applications"),
      subject,
      {
        id,
        type: Events.AppDeployRequested.type,
        time: new Date().toISOString(),
        traceparent: newTraceparent(),
      },
      signed,
    );
    await publishRaw(headers, Events.AppDeployRequested.codec.encode(deployRequest("tampered")).finish());
    await expectRefused(id, "tampered", "bad signature");
    expect(handled).not.toContain("original");
  });

  it("signed events - an unknown type is refused", async () => {
    const id = randomUUID();
    const headers = envelopeHeaders({
      id,
      type: "proximity.events.v1.Unknown",
      source: "applications",
      time: new Date().toISOString(),
      traceparent: newTraceparent(),
    });
    await publishRaw(headers, new Uint8Array([1, 2, 3]));
    const dlq = await eventually(async () => (await deadLetters(Durables.provisionerDeploy.name)).get(id), {
      what: "dead letter",
    });
    expect(dlq.reason).toBe("refused: unknown event type");
  });

  it("signed events - a message without any header is refused and dead-lettered with the reason", async () => {
    const ack = await bus.js.publish(
      subjectOf(bus.ns, Events.AppDeployRequested.subject),
      Events.AppDeployRequested.codec.encode(deployRequest("headerless")).finish(),
    );
    const dlq = streamName(bus.ns, "DEAD_LETTERS");
    const copy = await eventually(
      async () => {
        const { state } = await bus.jsm.streams.info(dlq);
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
          const m = await bus.jsm.streams.getMessage(dlq, { seq }).catch(() => null);
          if (m?.header.get("proximity-dlq-seq") === String(ack.seq)) return m;
        }
        return undefined;
      },
      { what: "the dead letter of the headerless message" },
    );
    expect(copy.header.get("proximity-dlq-reason")).toBe("refused: no event type");
    expect(handled).not.toContain("headerless");
  });

  it("signed events - a genuine event whose handler fails still runs onExhausted (the refusal path is apart)", async () => {
    await publishSignedEvent(
      bus.js,
      bus.ns,
      signer("applications"),
      Events.AppDeployRequested,
      deployRequest("fails-genuine"),
    );
    await eventually(async () => exhausted.includes("fails-genuine"), { what: "onExhausted" });
  });

  it("signed events - broadcast consumers handle the signed event and drop a forged one (one dead letter for all replicas)", async () => {
    const forgedId = randomUUID();
    const headers = envelopeHeaders({
      id: forgedId,
      type: Events.CatalogReloadRequested.type,
      source: "applications",
      time: new Date().toISOString(),
      traceparent: newTraceparent(),
    });
    await bus.js.publish(
      subjectOf(bus.ns, Events.CatalogReloadRequested.subject),
      Events.CatalogReloadRequested.codec.encode({ requestedBy: "forger" }).finish(),
      { headers },
    );
    await publishSignedEvent(bus.js, bus.ns, signer("applications"), Events.CatalogReloadRequested, {
      requestedBy: "admin",
    });
    await eventually(async () => reloads.every((seen) => seen.includes("admin")), {
      what: "genuine reloads",
    });
    expect(reloads).toEqual([["admin"], ["admin"]]);
    const dlq = await eventually(
      async () => (await deadLetters(Broadcasts.applicationsCatalogReload.name)).get(forgedId),
      { what: "broadcast dead letter" },
    );
    expect(dlq.reason).toBe("refused: unsigned");
    expect((await deadLetters(Broadcasts.applicationsCatalogReload.name)).size).toBe(1);
  });
});
