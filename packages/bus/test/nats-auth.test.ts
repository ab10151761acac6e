/**
 * The generated nats-server configuration on a private server: per-service nkey users with the
 * permissions derived from the catalogs, and the bus admin of the setup step, which declares every
 * stream and KV bucket first (declareBus). Every service's normal flow then works with the real
 * relay (and snapshot publisher), consumers and KV calls; credentials of no one or nobody known are refused; a service
 * cannot publish another's events, use another's consumers or inbox, touch another's bucket, read
 * another's stream, or create, change, purge or delete any stream or bucket, its own included.
 */
import { createDatabase, migrateToLatest } from "@proximity/db";
import { generateNatsUser, generateServiceKeys, natsKeyPairFromSeed } from "@proximity/identity";
import { provisionerEventsV1 } from "@proximity/proto";
import {
  createTestDatabase,
  eventually,
  type PrivateNats,
  startPrivateNats,
  testLogger,
  uniqueNamespace,
} from "@proximity/testing";
import type { Kysely } from "kysely";
import { AckPolicy, connect, type JetStreamManager, type NatsConnection, nkeyAuthenticator } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addToOutbox,
  Broadcasts,
  BUS_ADMIN,
  type Bus,
  connectBus,
  connectBusAdmin,
  consumerFilterSubject,
  createBroadcastConsumer,
  createEventConsumer,
  createMessagingTables,
  createOutboxRelay,
  createSnapshotPublisher,
  DEAD_LETTERS_OWNER,
  Durables,
  declareBus,
  dropMessagingTables,
  type EventConsumer,
  type EventDefinition,
  Events,
  eventSigner,
  eventVerifier,
  isSnapshotEvent,
  KvBuckets,
  kvBucketName,
  kvStreamName,
  type MessagingTables,
  natsPermissions,
  natsServerConfig,
  newTraceparent,
  openKvBucket,
  PermanentFailure,
  producerOf,
  RetiredDurables,
  retireDurable,
  type SnapshotEventDefinition,
  STREAM_PRODUCERS,
  streamName,
  subjectFor,
  subjectOf,
  subscribe,
} from "../src/index.js";
import { publishSignedEvent } from "../src/internal.js";

const SERVICES = ["applications", "backups", "hosts", "provisioner"] as const;
type Service = (typeof SERVICES)[number];
const keys = await generateServiceKeys([...SERVICES, "api-gateway", "secrets"]);
const seed = (name: string) => new TextEncoder().encode(keys.get(name)!.natsSeed);
const users = Object.fromEntries(
  [...keys.keys()].map((name) => [name, natsKeyPairFromSeed(seed(name)).getPublicKey()]),
);
const ns = uniqueNamespace();
const logger = testLogger("nats-auth");
const PERMISSION = { code: "PERMISSIONS_VIOLATION" };
const admin = generateNatsUser();
const LIMITS = { maxBytes: 8 * 1024 * 1024, maxMessageBytes: 1024 * 1024 };

let nats: PrivateNats;
/** The setup step's connection (the bus admin): declares the bus, and reads it to check a refusal changed nothing. */
let setup: NatsConnection;
let setupJsm: JetStreamManager;
/** The gateway's connection, as its rate-limit store makes it (its own nkey and inbox prefix). */
let gateway: NatsConnection;
const buses = new Map<Service, Bus>();
const bus = (s: Service) => buses.get(s)!;
let dropDb: (() => Promise<void>) | undefined;
const dbs: Kysely<MessagingTables>[] = [];

/** Every stream of the namespace: the event streams, the dead letters and the KV buckets. */
const EVENT_STREAMS = ["APPLICATIONS", "PROVISIONER", "HOSTS", "BACKUPS", "DEAD_LETTERS"] as const;
const allStreams = () => [
  ...EVENT_STREAMS.map((s) => streamName(ns, s)),
  ...Object.values(KvBuckets).map((b) => kvStreamName(ns, b)),
];
/** Every connection a service holds, by its name. */
const connections = (): [string, NatsConnection][] => [
  ...SERVICES.map((s): [string, NatsConnection] => [s, bus(s).nc]),
  ["api-gateway", gateway],
];

beforeAll(async () => {
  nats = await startPrivateNats(({ port, storeDir }) =>
    natsServerConfig({ ns, users, admin: admin.publicKey, port, storeDir }),
  );
  setup = await connectBusAdmin({ servers: nats.url, seed: admin.seed });
  setupJsm = await setup.jetstreamManager();
  await declareBus(setup, ns, { limits: LIMITS });
  for (const s of SERVICES)
    buses.set(
      s,
      await connectBus({ servers: nats.url, name: s, ns, logger, natsSeed: keys.get(s)!.natsSeed }),
    );
  gateway = await connect({
    servers: nats.url,
    inboxPrefix: "_INBOX_api-gateway",
    authenticator: nkeyAuthenticator(seed("api-gateway")),
  });
});

afterAll(async () => {
  for (const b of buses.values()) await b.close();
  await gateway?.close();
  await setup?.close();
  for (const db of dbs) await db.destroy();
  await dropDb?.();
  await nats?.stop();
});

/** Messages in `service`'s own stream, read with its own rights. */
const ownStreamCount = async (s: Exclude<Service, never>) =>
  (await bus(s).jsm.streams.info(streamName(ns, streamOf(s)))).state.messages;
const streamOf = (s: Service) =>
  (Object.entries(STREAM_PRODUCERS).find(([, p]) => p === s)?.[0] ?? "") as "APPLICATIONS";

/** Rejects when the server refuses the subscription (asynchronously, by closing it). */
async function subscriptionRefused(nc: NatsConnection, subject: string): Promise<void> {
  const sub = nc.subscribe(subject);
  await expect(
    (async () => {
      for await (const _ of sub) {
        /* nothing is delivered */
      }
    })(),
  ).rejects.toThrow(/Permissions Violation for Subscription/);
}

describe("nats permissions - credentials", () => {
  it("nats permissions - no credentials, an unknown nkey, or a service that does not use NATS are refused", async () => {
    await expect(connect({ servers: nats.url })).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    const stranger = new TextEncoder().encode(generateNatsUser().seed);
    await expect(
      connect({ servers: nats.url, authenticator: nkeyAuthenticator(stranger) }),
    ).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    await expect(
      connect({ servers: nats.url, authenticator: nkeyAuthenticator(seed("secrets")) }),
    ).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
    await expect(
      connectBus({ servers: nats.url, name: "hosts", ns, logger, natsSeed: generateNatsUser().seed }),
    ).rejects.toMatchObject({ code: "AUTHORIZATION_VIOLATION" });
  });
});

/**
 * A payload for each variant subject of the catalog's events (a variant added to the catalog needs
 * one here: the flow below checks its consumers get it).
 */
const VARIANT_PAYLOADS: Readonly<Record<string, Readonly<Record<string, unknown>>>> = {
  [Events.OperationSucceeded.type]: {
    archive: { kind: provisionerEventsV1.OperationKind.OPERATION_KIND_BACKUP },
  },
  [Events.OperationFailed.type]: {
    archive: { kind: provisionerEventsV1.OperationKind.OPERATION_KIND_RESTORE },
  },
};

describe("nats permissions - every service's normal flow", () => {
  it("nats permissions - on the bus setup declared: relays publish every event (the provisioner's snapshot publisher its observations), every durable and broadcast consumer gets and dead-letters its own, the provisioner and the gateway use their buckets, the provisioner reads dead letters", async () => {
    const database = await createTestDatabase();
    dropDb = database.drop;
    const seen = new Map<string, Set<string>>();
    const consumers: EventConsumer[] = [];
    for (const durable of Object.values(Durables)) {
      seen.set(durable.name, new Set());
      const b = bus(durable.service as Service);
      const consumer = createEventConsumer({
        js: b.js,
        jsm: b.jsm,
        ns,
        logger,
        durable,
        verifier: eventVerifier(keys.get(durable.service)!),
        maxDeliver: 2,
        backoffBaseMs: 50,
        subscriptions: durable.events.map((event, i) =>
          subscribe(event as EventDefinition<unknown>, async () => {
            seen.get(durable.name)!.add(event.type);
            // The first event of each durable fails for good: it dead-letters with its service's rights.
            if (i === 0) throw new PermanentFailure("refused by the test");
          }),
        ),
      });
      await consumer.start();
      consumers.push(consumer);
    }
    const reloads: string[] = [];
    const broadcast = createBroadcastConsumer({
      bus: bus("applications"),
      logger,
      consumer: Broadcasts.applicationsCatalogReload,
      verifier: eventVerifier(keys.get("applications")!),
      subscriptions: [
        subscribe(Events.CatalogReloadRequested, async (e) => void reloads.push(e.requestedBy)),
      ],
    });
    await broadcast.start();
    consumers.push(broadcast);

    // Every catalog event, as its producer publishes it: through its real outbox relay, or its
    // snapshot publisher for the snapshot events.
    for (const producer of Object.values(STREAM_PRODUCERS) as Service[]) {
      const schema = `${producer}_bus`;
      const db = createDatabase<MessagingTables>({ url: database.url, schema });
      dbs.push(db);
      await migrateToLatest(db, {
        schema,
        migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
      });
      const signer = eventSigner(keys.get(producer)!);
      const snapshots = createSnapshotPublisher({ js: bus(producer).js, ns, signer });
      for (const event of Object.values(Events).filter((e) => producerOf(e) === producer)) {
        const variants = Object.entries(event.variants ?? {});
        const samples = VARIANT_PAYLOADS[event.type] ?? {};
        expect(Object.keys(samples).sort(), `${event.type}'s variants`).toEqual(
          variants.map(([v]) => v).sort(),
        );
        const payloads = [{}, ...Object.values(samples)].map((p) => event.codec.fromPartial(p));
        for (const [i, payload] of payloads.entries()) {
          // Each on its own subject: the event's, then each variant's.
          const subject = i === 0 ? event.subject : variants[i - 1]![1];
          expect(subjectFor(event as EventDefinition<unknown>, payload)).toBe(subject);
          if (isSnapshotEvent(event as EventDefinition<unknown>))
            await snapshots.publish(event as SnapshotEventDefinition<unknown>, payload);
          else
            await addToOutbox(db, event as EventDefinition<unknown>, payload, {
              source: producer,
              traceparent: newTraceparent(),
            });
        }
      }
      const relay = createOutboxRelay({ db, js: bus(producer).js, ns, logger, signer });
      expect(await relay.flush()).toBeGreaterThan(0);
    }

    for (const durable of Object.values(Durables))
      await eventually(async () => seen.get(durable.name)!.size === durable.events.length, {
        what: `${durable.name} got each of its events`,
      });
    await eventually(async () => reloads.length === 1, { what: "the catalog reload broadcast" });

    // Dead letters, as the provisioner's ListDeadLetters reads them: one per durable.
    const owner = bus(DEAD_LETTERS_OWNER as Service);
    const dlq = streamName(ns, "DEAD_LETTERS");
    const subjects = await eventually(
      async () => {
        const { state } = await owner.jsm.streams.info(dlq);
        const out: string[] = [];
        for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++)
          out.push((await owner.jsm.streams.getMessage(dlq, { seq })).subject);
        return out.length >= Object.keys(Durables).length ? out : undefined;
      },
      { what: "the dead letters" },
    );
    expect(subjects.sort()).toEqual(
      Object.values(Durables)
        .map((d) => `${ns}.deadletters.${d.name}`)
        .sort(),
    );

    // A restarted consumer finds its durable again; a reconnect finds its own stream.
    await consumers[0]!.stop();
    await consumers[0]!.start();
    const again = await connectBus({
      servers: nats.url,
      name: "hosts",
      ns,
      logger,
      natsSeed: keys.get("hosts")!.natsSeed,
    });
    await again.close();
    for (const c of consumers) await c.stop();

    // The provisioner's KV buckets, bound (never declared) with the calls its leases and
    // observation slots make, at the TTL setup gave them.
    const leases = await openKvBucket(bus("provisioner").js, ns, KvBuckets.vmidLeases, { declare: false });
    expect(leases.ttlMs).toBe(KvBuckets.vmidLeases.ttlMs);
    const kv = leases.kv;
    const revision = await kv.create("host-1.100", new TextEncoder().encode("op-1"));
    expect((await kv.get("host-1.100"))?.string()).toBe("op-1");
    await kv.update("host-1.100", new TextEncoder().encode("op-1"), revision);
    await kv.delete("host-1.100");
    expect(await kv.get("host-1.100")).toMatchObject({ operation: "DEL" });
    const slots = await openKvBucket(bus("provisioner").js, ns, KvBuckets.observationSlots, {
      declare: false,
    });
    await slots.kv.create("host-1.1", new TextEncoder().encode("now"));
    // The gateway's counters: create, read, compare-and-set.
    const counters = (
      await openKvBucket(gateway.jetstream(), ns, KvBuckets.gatewayRateLimits, { declare: false })
    ).kv;
    const counted = await counters.create("60000.1.abc", "1");
    expect((await counters.get("60000.1.abc"))?.string()).toBe("1");
    await counters.update("60000.1.abc", "2", counted);
    expect(nats.output()).not.toMatch(/Permissions Violation/);
  });
});

describe("nats permissions - retiring a durable", () => {
  it("retireDurable - with its service's rights: what an older producer left in a retired durable is handled, then the durable is deleted; absent, nothing is done", async () => {
    const retired = RetiredDurables.backupsOperationResults;
    const b = bus(retired.service as Service);
    const verifier = eventVerifier(keys.get(retired.service)!);
    const handled: string[] = [];
    const subscriptions = retired.events.map((event) =>
      subscribe(
        event as EventDefinition<{ operationId: string }>,
        async (e) => void handled.push(e.operationId),
      ),
    );
    const options = { js: b.js, jsm: b.jsm, ns, logger, durable: retired, verifier, subscriptions };
    // The durable as an earlier release left it (its consumer stopped); the service may no longer
    // create it.
    await setupJsm.consumers.add(streamName(ns, retired.stream), {
      durable_name: retired.name,
      ack_policy: AckPolicy.Explicit,
      filter_subject: consumerFilterSubject(ns, retired),
    });
    // An archive result as an older provisioner published it: on the event's own subject (the
    // catalog had no variants then), where only the retired durable takes it.
    const { variants: _variants, variantOf: _variantOf, ...older } = Events.OperationSucceeded;
    const result = Events.OperationSucceeded.codec.fromPartial({
      operationId: "left-behind",
      kind: provisionerEventsV1.OperationKind.OPERATION_KIND_BACKUP,
    });
    await publishSignedEvent(bus("provisioner").js, ns, eventSigner(keys.get("provisioner")!), older, result);
    // And one as an upgraded provisioner publishes it, on its variant's subject: the upgrade began.
    await publishSignedEvent(
      bus("provisioner").js,
      ns,
      eventSigner(keys.get("provisioner")!),
      Events.OperationSucceeded,
      {
        ...result,
        operationId: "current",
      },
    );

    await retireDurable({ ...options, pollMs: 100, quietMs: 0 }).done;
    expect(handled).toEqual(expect.arrayContaining(["left-behind", "current"]));
    await expect(b.jsm.consumers.info(streamName(ns, retired.stream), retired.name)).rejects.toMatchObject({
      api_error: { err_code: 10014 },
    });
    // Gone: the next start has nothing to drain and makes no durable.
    await retireDurable({ ...options, pollMs: 100, quietMs: 0 }).done;
    await expect(b.jsm.consumers.info(streamName(ns, retired.stream), retired.name)).rejects.toMatchObject({
      api_error: { err_code: 10014 },
    });
    expect(nats.output()).not.toMatch(/Permissions Violation/);
  });
});

describe("nats permissions - refusals", () => {
  /** The requests `s` may republish for ReplayDeadLetter: those its own durables consume. */
  const replayable = (s: Service) =>
    new Set(
      Object.values(Durables)
        .filter((d) => s === DEAD_LETTERS_OWNER && d.service === s)
        .flatMap((d) => d.events.map((e) => e.subject)),
    );

  it("nats permissions - a service cannot publish another service's events (JetStream or core)", async () => {
    for (const s of SERVICES) {
      for (const producer of Object.values(STREAM_PRODUCERS) as Service[]) {
        if (producer === s) continue;
        const before = await ownStreamCount(producer);
        const event = Object.values(Events).find(
          (e) => producerOf(e) === producer && !replayable(s).has(e.subject),
        )!;
        const subject = subjectOf(ns, event.subject);
        await expect(bus(s).js.publish(subject, new Uint8Array([1]))).rejects.toMatchObject(PERMISSION);
        bus(s).nc.publish(subject, new Uint8Array([1]));
        await bus(s).nc.flush();
        expect(await ownStreamCount(producer)).toBe(before);
      }
    }
    // The server logs each refusal (what the end-to-end test under authentication looks for).
    expect(nats.output()).toMatch(/Publish Violation/);
  });

  it("nats permissions - the dead letters' owner may republish the requests its durables consume, no other event", async () => {
    const owner = DEAD_LETTERS_OWNER as Service;
    const requests = replayable(owner);
    expect(requests.size).toBeGreaterThan(0);
    const [request] = [...requests];
    const producer = producerOf(Object.values(Events).find((e) => e.subject === request)!) as Service;
    const before = await ownStreamCount(producer);
    await bus(owner).js.publish(subjectOf(ns, request!), new Uint8Array([1]));
    expect(await ownStreamCount(producer)).toBe(before + 1);
    const other = Object.values(Events).find((e) => producerOf(e) === producer && !requests.has(e.subject))!;
    await expect(
      bus(owner).js.publish(subjectOf(ns, other.subject), new Uint8Array([1])),
    ).rejects.toMatchObject(PERMISSION);
  });

  it("nats permissions - a service cannot create, read, pull from or ack another service's durable", async () => {
    const b = bus("backups");
    const apps = streamName(ns, "APPLICATIONS");
    const deploy = Durables.provisionerDeploy;
    const deployFilter = subjectOf(ns, Events.AppDeployRequested.subject);
    await expect(
      b.jsm.consumers.add(apps, {
        durable_name: deploy.name,
        filter_subject: deployFilter,
        ack_policy: AckPolicy.Explicit,
      }),
    ).rejects.toMatchObject(PERMISSION);
    await expect(b.js.consumers.get(apps, deploy.name)).rejects.toMatchObject(PERMISSION);
    await expect(
      b.nc.request(`$JS.API.CONSUMER.MSG.NEXT.${apps}.${deploy.name}`, JSON.stringify({ batch: 1 })),
    ).rejects.toMatchObject(PERMISSION);
    await expect(b.nc.request(`$JS.ACK.${apps}.${deploy.name}.1.1.1.1.0`, "+ACK")).rejects.toMatchObject(
      PERMISSION,
    );
    // Nor another durable of its own name with a wider filter, nor any unnamed or legacy consumer.
    await expect(
      b.jsm.consumers.add(apps, {
        durable_name: Durables.backupsAppEvents.name,
        filter_subject: `${ns}.applications.>`,
        ack_policy: AckPolicy.Explicit,
      }),
    ).rejects.toMatchObject(PERMISSION);
    for (const api of [
      `$JS.API.CONSUMER.CREATE.${apps}`,
      `$JS.API.CONSUMER.DURABLE.CREATE.${apps}.${deploy.name}`,
    ])
      await expect(
        b.nc.request(api, JSON.stringify({ stream_name: apps, config: {} })),
      ).rejects.toMatchObject(PERMISSION);
    // Nor read the stream's messages directly.
    await expect(b.jsm.streams.getMessage(apps, { seq: 1 })).rejects.toMatchObject(PERMISSION);
  });

  it("nats permissions - a service reads replies under its own inbox prefix only, and subscribes to no event subject", async () => {
    await subscriptionRefused(bus("backups").nc, "_INBOX_provisioner.>");
    await subscriptionRefused(bus("hosts").nc, `${ns}.applications.>`);
    await subscriptionRefused(bus("applications").nc, ">");
  });

  it("nats permissions - only the provisioner may use its KV buckets, only the gateway its own", async () => {
    await expect(
      openKvBucket(gateway.jetstream(), ns, KvBuckets.vmidLeases, { declare: false }),
    ).rejects.toMatchObject(PERMISSION);
    await expect(
      gateway.jetstream().publish(subjectOf(ns, Events.AppDeployRequested.subject)),
    ).rejects.toMatchObject(PERMISSION);
    await expect(
      openKvBucket(bus("provisioner").js, ns, KvBuckets.gatewayRateLimits, { declare: false }),
    ).rejects.toMatchObject(PERMISSION);
    const bucket = kvBucketName(ns, KvBuckets.vmidLeases);
    const { kv } = await openKvBucket(bus("provisioner").js, ns, KvBuckets.vmidLeases, { declare: false });
    await kv.put("host-9.900", new TextEncoder().encode("op-provisioner"));
    for (const s of ["applications", "backups", "hosts"] as const) {
      const other = bus(s);
      await expect(
        openKvBucket(other.js, ns, KvBuckets.vmidLeases, { declare: false }),
      ).rejects.toMatchObject(PERMISSION);
      await expect(other.js.publish(`$KV.${bucket}.host-9.900`, new Uint8Array([1]))).rejects.toMatchObject(
        PERMISSION,
      );
      await expect(
        other.nc.request(`$JS.API.DIRECT.GET.KV_${bucket}.$KV.${bucket}.host-9.900`, ""),
      ).rejects.toMatchObject(PERMISSION);
    }
    expect((await kv.get("host-9.900"))?.string()).toBe("op-provisioner");
  });

  it("nats permissions - no service may create, update, purge or delete any stream or KV bucket, its own included", async () => {
    for (const [service, nc] of connections())
      for (const name of allStreams()) {
        const { config } = await setupJsm.streams.info(name);
        // Its subjects widened to another service's replies: what an update would be for.
        const widened = JSON.stringify({ ...config, subjects: [...config.subjects, "_INBOX_provisioner.>"] });
        for (const op of ["CREATE", "UPDATE", "DELETE", "PURGE"])
          await expect(
            nc.request(`$JS.API.STREAM.${op}.${name}`, op === "DELETE" ? "" : widened),
            `${service} ${op} ${name}`,
          ).rejects.toMatchObject(PERMISSION);
      }
    for (const name of allStreams())
      expect((await setupJsm.streams.info(name)).config.subjects).not.toContain("_INBOX_provisioner.>");
  });

  it("nats permissions - the gateway cannot turn its rate-limit bucket into a tap on the provisioner's replies (subjects, republish), nor read it by sequence", async () => {
    const stream = kvStreamName(ns, KvBuckets.gatewayRateLimits);
    const before = (await setupJsm.streams.info(stream)).config;
    const jsm = await gateway.jetstreamManager();
    // What the review did: the bucket's own stream, widened to the provisioner's inbox…
    await expect(
      jsm.streams.update(stream, { subjects: [...before.subjects, "_INBOX_provisioner.>"] }),
    ).rejects.toMatchObject(PERMISSION);
    // …or made to copy everything it sees elsewhere.
    await expect(
      jsm.streams.update(stream, { republish: { src: ">", dest: "tap.>" } } as never),
    ).rejects.toMatchObject(PERMISSION);
    // …then read by sequence, as STREAM.MSG.GET would.
    await expect(jsm.streams.getMessage(stream, { seq: 1 })).rejects.toMatchObject(PERMISSION);
    const after = (await setupJsm.streams.info(stream)).config;
    expect(after.subjects).toEqual(before.subjects);
    expect(after.republish).toBeUndefined();
    // The provisioner likewise reads its buckets by key only.
    const leases = kvStreamName(ns, KvBuckets.vmidLeases);
    await expect(bus("provisioner").jsm.streams.getMessage(leases, { seq: 1 })).rejects.toMatchObject(
      PERMISSION,
    );
  });

  it("nats permissions - no service reads another's stream by sequence", async () => {
    const reads: [Service | "api-gateway", string][] = [
      ["backups", streamName(ns, "APPLICATIONS")],
      ["hosts", streamName(ns, "PROVISIONER")],
      ["applications", streamName(ns, "BACKUPS")],
      ["applications", kvStreamName(ns, KvBuckets.vmidLeases)],
      ["provisioner", kvStreamName(ns, KvBuckets.gatewayRateLimits)],
      ...EVENT_STREAMS.map((s): ["api-gateway", string] => ["api-gateway", streamName(ns, s)]),
    ];
    for (const [service, stream] of reads) {
      const nc = service === "api-gateway" ? gateway : bus(service).nc;
      await expect(
        nc.request(`$JS.API.STREAM.MSG.GET.${stream}`, JSON.stringify({ seq: 1 })),
        `${service} reads ${stream}`,
      ).rejects.toMatchObject(PERMISSION);
    }
  });

  it("nats permissions - a consumer cannot create a missing producer's stream (with a bad configuration) before its owner's setup", async () => {
    const backups = streamName(ns, "BACKUPS");
    const { config } = await setupJsm.streams.info(backups);
    await setupJsm.streams.delete(backups);
    try {
      // The provisioner consumes BACKUPS: a tiny stream there would stop the backups service's events.
      await expect(
        bus("provisioner").jsm.streams.add({ ...config, max_bytes: 1024, max_msg_size: 16 }),
      ).rejects.toMatchObject(PERMISSION);
      await expect(setupJsm.streams.info(backups)).rejects.toThrow(/stream not found/);
      // A consumer finds no stream to read: it says why rather than creating it.
      const consumer = createEventConsumer({
        js: bus("provisioner").js,
        jsm: bus("provisioner").jsm,
        ns,
        logger,
        durable: Durables.provisionerArchives,
        verifier: eventVerifier(keys.get("provisioner")!),
        subscriptions: Durables.provisionerArchives.events.map((event) =>
          subscribe(event as EventDefinition<unknown>, async () => {}),
        ),
      });
      await expect(consumer.start()).rejects.toThrow(/does not exist: the setup step declares it/);
    } finally {
      await declareBus(setup, ns, { limits: LIMITS });
    }
    expect((await setupJsm.streams.info(backups)).config.max_bytes).toBe(LIMITS.maxBytes);
  });

  it("nats permissions - only the bus admin administers the bus; it cannot publish events or read replies of the services", async () => {
    await expect(
      setup.jetstream().publish(subjectOf(ns, Events.AppDeployRequested.subject)),
    ).rejects.toMatchObject(PERMISSION);
    await subscriptionRefused(setup, "_INBOX_provisioner.>");
  });
});

describe("nats permissions - derived from the catalogs", () => {
  it("natsPermissions - each durable and bucket belongs to one service; no wildcard reaches a consumer, bucket or stream of another; no service administers a stream", () => {
    const perms = natsPermissions("proximity");
    expect([...perms.keys()].sort()).toEqual([
      "api-gateway",
      "applications",
      "backups",
      "hosts",
      "provisioner",
    ]);
    const bucketOwners = new Map(
      Object.values(KvBuckets).map((b) => [kvBucketName("proximity", b), b.service]),
    );
    for (const [service, { publish, subscribe: sub }] of perms) {
      for (const subject of publish) {
        expect(subject).not.toMatch(/(^|\.)\*(\.|$)/); // no single-token wildcard anywhere
        // Stream configurations are setup's: no create, update, delete or purge of any stream.
        expect(subject).not.toMatch(/^\$JS\.API\.STREAM\.(CREATE|UPDATE|DELETE|PURGE)\b/);
        expect(subject).not.toMatch(
          /^\$JS\.API\.(STREAM\.(TEMPLATE|SNAPSHOT|RESTORE|PEER|LEADER)|SERVER|META|ACCOUNT)\b/,
        );
        // A consumer is deleted only when its release retired it, by its own service.
        const deleted = /^\$JS\.API\.CONSUMER\.DELETE\.([^.]+)\.([^.]+)$/.exec(subject);
        if (subject.startsWith("$JS.API.CONSUMER.DELETE"))
          expect(
            Object.values(RetiredDurables).some(
              (d) =>
                d.service === service &&
                deleted?.[1] === streamName("proximity", d.stream) &&
                deleted[2] === d.name,
            ),
            subject,
          ).toBe(true);
        // A bucket is read by key (direct gets), never by stream sequence.
        expect(subject).not.toMatch(/^\$JS\.API\.STREAM\.MSG\.GET\.KV_/);
        const bucket = /^\$KV\.([^.]+)\.|\.KV_([^.]+)/.exec(subject);
        if (bucket) expect(bucketOwners.get(bucket[1] ?? bucket[2] ?? "")).toBe(service);
      }
      expect(sub[0]).toBe(`_INBOX_${service}.>`);
      for (const d of Object.values(Durables)) {
        const mine = publish.some(
          (p) => p.startsWith(`$JS.API.CONSUMER.MSG.NEXT.`) && p.endsWith(`.${d.name}`),
        );
        expect(mine).toBe(d.service === service);
      }
      const producerTopics = publish.filter((p) => /^proximity\.[a-z]+\.>$/.test(p));
      expect(producerTopics).toEqual(
        Object.values(STREAM_PRODUCERS).includes(service) ? [`proximity.${service}.>`] : [],
      );
      // Another producer's events: only the dead letters' owner, only what its own durables
      // consume (ReplayDeadLetter republishes those requests unchanged).
      const ownTopic = `proximity.${service}.`;
      const othersEvents = publish.filter((p) => /^proximity\.[a-z]/.test(p) && !p.startsWith(ownTopic));
      const replayable = Object.values(Durables)
        .filter((d) => d.service === service && service === DEAD_LETTERS_OWNER)
        .flatMap((d) => d.events.map((e) => `proximity.${e.subject}`));
      expect(othersEvents.filter((p) => !p.startsWith("proximity.deadletters.")).sort()).toEqual(
        [...new Set(replayable)].sort(),
      );
    }
  });

  it("natsServerConfig - names a service whose nkey is missing or not a user key, or a bad admin key, instead of writing a config", () => {
    const options = { ns, users, admin: admin.publicKey, storeDir: "/tmp/x" };
    const { applications: _, ...withoutApplications } = users;
    expect(() => natsServerConfig({ ...options, users: withoutApplications })).toThrow(/applications/);
    expect(() =>
      natsServerConfig({ ...options, users: { ...users, hosts: keys.get("hosts")!.natsSeed } }),
    ).toThrow(/hosts/);
    expect(() => natsServerConfig({ ...options, ns: "Bad-NS" })).toThrow(/namespace/);
    expect(() => natsServerConfig({ ...options, admin: admin.seed })).toThrow(new RegExp(BUS_ADMIN));
    // A service given the admin's key would have its rights.
    expect(() => natsServerConfig({ ...options, users: { ...users, hosts: admin.publicKey } })).toThrow(
      /hosts has the nkey of bus-admin/,
    );
    // Identities that do not use NATS get no user at all; the admin gets the JetStream API.
    const text = natsServerConfig(options);
    expect(text).not.toContain(users.secrets!);
    expect(text).toMatch(
      new RegExp(`# bus-admin\\n\\s*\\{\\n\\s*nkey: "${admin.publicKey}"[^}]*"\\$JS\\.API\\.>"`),
    );
  });
});
