/**
 * The edges of abandoned-deliveries.ts: stopping during a recovery, a start that cannot read the
 * advisories, the request's trace, bad advisories, an upgrade of the dead-letter stream, and who may
 * publish an advisory at all.
 */
import { generateServiceKeys } from "@proximity/identity";
import { newTraceparent, traceIdOf } from "@proximity/telemetry";
import { eventually, testLogger, uniqueNamespace } from "@proximity/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { busAdminPermissions } from "../src/bus-admin.js";
import {
  BUS_ADMIN,
  type Bus,
  type ConsumerDefinition,
  createEventConsumer,
  Durables,
  defineConsumer,
  Events,
  ensureStreams,
  eventSigner,
  eventVerifier,
  natsPermissions,
  streamName,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";
import { closeTestBus, openTestBus, takeEveryDelivery } from "./support/test-bus.js";

const logger = testLogger("bus");
let bus: Bus;
const keys = await generateServiceKeys(["hosts"]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  bus = await openTestBus("abandoned-edges");
});

// Each test's durable reads the stream from its start: only its own messages in it.
beforeEach(async () => {
  await bus.jsm.streams.purge(streamName(bus.ns, "HOSTS"));
});

afterAll(() => closeTestBus(bus));

interface Hooks {
  handled: string[];
  failed: { hostId: string; traceparent: string }[];
  /** While set, the failure hook waits for it (a slow cleanup). */
  gate?: Promise<void>;
}

function consumerOf(durable: ConsumerDefinition, hooks: Hooks) {
  return createEventConsumer({
    js: bus.js,
    jsm: bus.jsm,
    ns: bus.ns,
    logger,
    durable,
    verifier: eventVerifier(keys.get("hosts")!),
    maxDeliver: 1,
    ackWaitMs: 300,
    backoffBaseMs: 50,
    backoffMaxMs: 100,
    subscriptions: [
      subscribe(
        Events.HostRegistered,
        async (payload) => {
          hooks.handled.push(payload.hostId);
        },
        async (payload, ctx) => {
          await hooks.gate;
          hooks.failed.push({ hostId: payload.hostId, traceparent: ctx.traceparent });
        },
      ),
    ],
  });
}

async function publish(hostId: string, traceparent = newTraceparent()) {
  return publishSignedEvent(
    bus.js,
    bus.ns,
    eventSigner(keys.get("hosts")!),
    Events.HostRegistered,
    {
      hostId,
      name: "pve",
    },
    { traceparent },
  );
}

/** Every delivery the server allows taken and left to die (processes killed -9). */
async function abandon(durable: ConsumerDefinition, hostId: string, traceparent?: string) {
  const ack = await publish(hostId, traceparent);
  await takeEveryDelivery(bus, durable);
  return ack;
}

const advisoriesOf = async (durable: ConsumerDefinition) => {
  const dl = streamName(bus.ns, "DEAD_LETTERS");
  const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName(bus.ns, "HOSTS")}.${durable.name}`;
  return (await bus.jsm.streams.info(dl, { subjects_filter: subject })).state.subjects?.[subject] ?? 0;
};

describe("abandoned deliveries: stopping, traces, bad advisories", () => {
  it("abandoned deliveries - while an abandoned message's failure hook runs, a new request is not burnt through all its deliveries by the stopping consumer", async () => {
    const durable = defineConsumer("test", "edges-stop-order", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const hooks: Hooks = { handled: [], failed: [] };
    const first = consumerOf(durable, hooks);
    await first.start();
    await first.stop();
    await abandon(durable, "h-abandoned");

    let release!: () => void;
    hooks.gate = new Promise<void>((r) => {
      release = r;
    });
    const second = consumerOf(durable, hooks);
    await second.start();
    // The abandoned message's hook is running (a slow cleanup) when SIGTERM comes.
    await eventually(async () => ((await advisoriesOf(durable)) >= 1 ? true : undefined), {
      what: "advisory",
    });
    await sleep(300);
    const stopping = second.stop();
    // A new request arrives during the graceful stop.
    await publish("h-new");
    await sleep(1_000);
    const advisoriesDuringStop = await advisoriesOf(durable);
    release();
    await stopping;
    // The new request was never handled; it must still be waiting for the next process, not
    // given up by the server (which a restart's recovery would then fail as "every delivery died").
    expect(hooks.handled).toEqual([]);
    expect(advisoriesDuringStop).toBe(1);
  });

  it("abandoned deliveries - the failure recorded from an advisory stays in the request's trace (logs and OperationFailed carry its trace id)", async () => {
    const durable = defineConsumer("test", "edges-trace", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const hooks: Hooks = { handled: [], failed: [] };
    const first = consumerOf(durable, hooks);
    await first.start();
    await first.stop();
    const traceparent = newTraceparent();
    await abandon(durable, "h-traced", traceparent);
    const second = consumerOf(durable, hooks);
    await second.start();
    try {
      await eventually(async () => hooks.failed.length > 0 || undefined, {
        what: "failure hook",
        timeoutMs: 15_000,
      });
      expect(traceIdOf(hooks.failed[0]!.traceparent)).toBe(traceIdOf(traceparent));
    } finally {
      await second.stop();
    }
  });

  it("abandoned deliveries - malformed, negative, huge and gone-message advisories are settled and the reader keeps going", async () => {
    const durable = defineConsumer("test", "edges-bad-advisories", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const hooks: Hooks = { handled: [], failed: [] };
    const consumer = consumerOf(durable, hooks);
    await consumer.start();
    const stream = streamName(bus.ns, "HOSTS");
    const subject = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${stream}.${durable.name}`;
    const enc = (v: unknown) => new TextEncoder().encode(typeof v === "string" ? v : JSON.stringify(v));
    try {
      for (const body of [
        "{not json",
        "null",
        "[]",
        { stream, consumer: durable.name, stream_seq: -1, deliveries: 4 },
        { stream, consumer: durable.name, stream_seq: 2 ** 60, deliveries: 4 },
        { stream, consumer: durable.name, stream_seq: 9_999_999, deliveries: 4 },
        { stream, consumer: durable.name, stream_seq: "1", deliveries: 4 },
      ])
        await bus.js.publish(subject, enc(body));
      // Then a real abandoned message: still recovered after all of the above.
      await consumer.stop();
      await abandon(durable, "h-after-garbage");
      const again = consumerOf(durable, hooks);
      await again.start();
      try {
        await eventually(async () => hooks.failed.length > 0 || undefined, {
          what: "failure hook",
          timeoutMs: 15_000,
        });
        expect(hooks.failed.map((f) => f.hostId)).toEqual(["h-after-garbage"]);
        const info = await bus.jsm.consumers.info(
          streamName(bus.ns, "DEAD_LETTERS"),
          `${durable.name}-abandoned`,
        );
        expect(info.num_ack_pending).toBe(0);
        expect(info.num_pending).toBe(0);
      } finally {
        await again.stop();
      }
    } finally {
      await consumer.stop().catch(() => undefined);
    }
  });
});

describe("abandoned deliveries: an existing DEAD_LETTERS stream", () => {
  it("abandoned deliveries - setup (ensureStreams) brings the old subjects to the new ones; before it, a recovering consumer's start fails and says to run the setup", async () => {
    const ns = uniqueNamespace();
    const dl = streamName(ns, "DEAD_LETTERS");
    const limits = { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };
    await ensureStreams(bus.jsm, ns, limits);
    // The stream as the previous release declared it.
    const info = await bus.jsm.streams.info(dl);
    await bus.jsm.streams.update(dl, {
      ...info.config,
      subjects: [`${ns}.deadletters.>`, `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${ns.toUpperCase()}_*.>`],
    });
    const durable = defineConsumer("test", "edges-upgrade", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns,
      logger,
      durable,
      verifier: eventVerifier(keys.get("hosts")!),
      subscriptions: [subscribe(Events.HostRegistered, async () => undefined)],
    });
    try {
      const err = await consumer.start().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
      // Before setup ran again: the start fails, saying what to do.
      expect(err?.message).toMatch(/run this release's bus setup/);
      await consumer.stop();
      await ensureStreams(bus.jsm, ns, limits);
      expect((await bus.jsm.streams.info(dl)).config.subjects).toContain(
        `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName(ns, "HOSTS")}.>`,
      );
      const again = createEventConsumer({
        js: bus.js,
        jsm: bus.jsm,
        ns,
        logger,
        durable,
        verifier: eventVerifier(keys.get("hosts")!),
        subscriptions: [subscribe(Events.HostRegistered, async () => undefined)],
      });
      await again.start();
      await again.stop();
    } finally {
      for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
        await bus.jsm.streams.delete(streamName(ns, s)).catch(() => undefined);
    }
  });
});

describe("abandoned deliveries: a failed start", () => {
  it("abandoned deliveries - when the advisory reader cannot be set up, the start fails before any request is taken (a crash-looping replica must not spend deliveries)", async () => {
    const ns = uniqueNamespace();
    const dl = streamName(ns, "DEAD_LETTERS");
    const limits = { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };
    await ensureStreams(bus.jsm, ns, limits);
    // DEAD_LETTERS not (yet) as this release declares it: old subjects, or permissions not reloaded.
    const info = await bus.jsm.streams.info(dl);
    await bus.jsm.streams.update(dl, { ...info.config, subjects: [`${ns}.deadletters.>`] });
    await publishSignedEvent(bus.js, ns, eventSigner(keys.get("hosts")!), Events.HostRegistered, {
      hostId: "h-pending",
      name: "pve",
    });
    const durable = defineConsumer("test", "edges-failed-start", [Events.HostRegistered], {
      recoversAbandoned: true,
    });
    const handled: number[] = [];
    const consumer = createEventConsumer({
      js: bus.js,
      jsm: bus.jsm,
      ns,
      logger,
      durable,
      verifier: eventVerifier(keys.get("hosts")!),
      ackWaitMs: 5_000,
      subscriptions: [
        subscribe(Events.HostRegistered, async (_p, ctx) => {
          handled.push(ctx.attempt);
          await sleep(2_000); // a deploy in progress when the process exits
        }),
      ],
    });
    try {
      await expect(consumer.start()).rejects.toThrow();
      await sleep(300);
      expect(handled).toEqual([]);
    } finally {
      await consumer.stop().catch(() => undefined);
      for (const s of ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const)
        await bus.jsm.streams.delete(streamName(ns, s)).catch(() => undefined);
    }
  });
});

describe("abandoned deliveries: who may publish an advisory", () => {
  /** NATS subject matching: `*` one token, `>` the rest. */
  const matches = (pattern: string, subject: string) => {
    const p = pattern.split(".");
    const s = subject.split(".");
    for (let i = 0; i < p.length; i++) {
      if (p[i] === ">") return s.length > i;
      if (i >= s.length || (p[i] !== "*" && p[i] !== s[i])) return false;
    }
    return p.length === s.length;
  };

  it("abandoned deliveries - no generated user (services, bus admin) may publish a max-deliveries advisory of any stream", () => {
    const ns = "proximity";
    const advisories = ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"].flatMap((s) =>
      Object.values(Durables).map(
        (d) => `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${streamName(ns, s as "HOSTS")}.${d.name}`,
      ),
    );
    const users = [...natsPermissions(ns)].map(([name, p]) => [name, p.publish] as const);
    users.push([BUS_ADMIN, [...busAdminPermissions.publish]]);
    const allowed = users.flatMap(([name, publish]) =>
      publish.flatMap((pattern) =>
        advisories.filter((a) => matches(pattern, a)).map((a) => `${name}: ${pattern} → ${a}`),
      ),
    );
    expect(allowed).toEqual([]);
  });
});
