/**
 * The generated nats-server configuration on a private server: per-service nkey users with the
 * permissions derived from the catalogs. Every service's normal flow works with the real relay,
 * consumers and KV calls; credentials of no one or nobody known are refused; a service cannot
 * publish another's events, use another's consumers or inbox, touch the provisioner's buckets or
 * change another's stream.
 */
import { createDatabase, migrateToLatest } from "@proximity/db";
import { generateNatsUser, generateServiceKeys, natsKeyPairFromSeed } from "@proximity/identity";
import {
  createTestDatabase,
  eventually,
  type PrivateNats,
  startPrivateNats,
  testLogger,
  uniqueNamespace,
} from "@proximity/testing";
import type { Kysely } from "kysely";
import { AckPolicy, connect, type NatsConnection, nkeyAuthenticator } from "nats";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  addToOutbox,
  Broadcasts,
  type Bus,
  connectBus,
  createBroadcastConsumer,
  createEventConsumer,
  createMessagingTables,
  createOutboxRelay,
  DEAD_LETTERS_OWNER,
  Durables,
  dropMessagingTables,
  type EventConsumer,
  type EventDefinition,
  Events,
  eventSigner,
  eventVerifier,
  KvBuckets,
  kvBucketName,
  type MessagingTables,
  natsPermissions,
  natsServerConfig,
  newTraceparent,
  PermanentFailure,
  producerOf,
  STREAM_PRODUCERS,
  streamName,
  subjectOf,
  subscribe,
} from "../src/index.js";

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

let nats: PrivateNats;
const buses = new Map<Service, Bus>();
const bus = (s: Service) => buses.get(s)!;
let dropDb: (() => Promise<void>) | undefined;
const dbs: Kysely<MessagingTables>[] = [];

beforeAll(async () => {
  nats = await startPrivateNats(({ port, storeDir }) => natsServerConfig({ ns, users, port, storeDir }));
  for (const s of SERVICES)
    buses.set(
      s,
      await connectBus({ servers: nats.url, name: s, ns, logger, natsSeed: keys.get(s)!.natsSeed }),
    );
});

afterAll(async () => {
  for (const b of buses.values()) await b.close();
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

describe("nats permissions - every service's normal flow", () => {
  it("nats permissions - relays publish every event, every durable and broadcast consumer gets and dead-letters its own, the provisioner uses its buckets and reads dead letters", async () => {
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

    // Every catalog event, through its producer's real outbox relay.
    for (const producer of Object.values(STREAM_PRODUCERS) as Service[]) {
      const schema = `${producer}_bus`;
      const db = createDatabase<MessagingTables>({ url: database.url, schema });
      dbs.push(db);
      await migrateToLatest(db, {
        schema,
        migrations: { "0001_messaging": { up: createMessagingTables, down: dropMessagingTables } },
      });
      for (const event of Object.values(Events).filter((e) => producerOf(e) === producer))
        await addToOutbox(db, event as EventDefinition<unknown>, event.codec.fromPartial({}), {
          source: producer,
          traceparent: newTraceparent(),
        });
      const relay = createOutboxRelay({
        db,
        js: bus(producer).js,
        ns,
        logger,
        signer: eventSigner(keys.get(producer)!),
      });
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

    // A restarted consumer finds its durable again; a reconnect declares its own stream again.
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

    // The provisioner's KV buckets, with the calls its leases and observation slots make.
    const kv = await bus("provisioner").js.views.kv(kvBucketName(ns, KvBuckets.vmidLeases), {
      history: 1,
      ttl: 60_000,
    });
    const revision = await kv.create("host-1.100", new TextEncoder().encode("op-1"));
    expect((await kv.get("host-1.100"))?.string()).toBe("op-1");
    await kv.update("host-1.100", new TextEncoder().encode("op-1"), revision);
    await kv.delete("host-1.100");
    const slots = await bus("provisioner").js.views.kv(kvBucketName(ns, KvBuckets.observationSlots), {
      history: 1,
      ttl: 60_000,
    });
    await slots.create("host-1.1", new TextEncoder().encode("now"));
  });
});

describe("nats permissions - refusals", () => {
  it("nats permissions - a service cannot publish another service's events (JetStream or core)", async () => {
    for (const s of SERVICES) {
      for (const producer of Object.values(STREAM_PRODUCERS) as Service[]) {
        if (producer === s) continue;
        const before = await ownStreamCount(producer);
        const event = Object.values(Events).find((e) => producerOf(e) === producer)!;
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
    const gateway = await connect({
      servers: nats.url,
      inboxPrefix: "_INBOX_api-gateway",
      authenticator: nkeyAuthenticator(seed("api-gateway")),
    });
    try {
      const limits = await gateway.jetstream().views.kv(kvBucketName(ns, KvBuckets.gatewayRateLimits), {
        history: 1,
        ttl: 60_000,
      });
      await limits.create("1.abc", new TextEncoder().encode("1"));
      await expect(
        gateway.jetstream().views.kv(kvBucketName(ns, KvBuckets.vmidLeases), { history: 1, ttl: 60_000 }),
      ).rejects.toMatchObject(PERMISSION);
      await expect(
        gateway.jetstream().publish(subjectOf(ns, Events.AppDeployRequested.subject)),
      ).rejects.toMatchObject(PERMISSION);
    } finally {
      await gateway.close();
    }
    await expect(
      bus("provisioner").js.views.kv(kvBucketName(ns, KvBuckets.gatewayRateLimits), {
        history: 1,
        ttl: 60_000,
      }),
    ).rejects.toMatchObject(PERMISSION);
    const bucket = kvBucketName(ns, KvBuckets.vmidLeases);
    const kv = await bus("provisioner").js.views.kv(bucket, { history: 1, ttl: 60_000 });
    await kv.put("host-9.900", new TextEncoder().encode("op-provisioner"));
    for (const s of ["applications", "backups", "hosts"] as const) {
      const other = bus(s);
      await expect(other.js.views.kv(bucket, { history: 1, ttl: 60_000 })).rejects.toMatchObject(PERMISSION);
      await expect(other.js.publish(`$KV.${bucket}.host-9.900`, new Uint8Array([1]))).rejects.toMatchObject(
        PERMISSION,
      );
      await expect(
        other.nc.request(`$JS.API.DIRECT.GET.KV_${bucket}.$KV.${bucket}.host-9.900`, ""),
      ).rejects.toMatchObject(PERMISSION);
    }
    expect((await kv.get("host-9.900"))?.string()).toBe("op-provisioner");
  });

  it("nats permissions - no service may change, purge or delete another's stream (nor delete its own)", async () => {
    const apps = streamName(ns, "APPLICATIONS");
    const before = (await bus("applications").jsm.streams.info(apps)).config;
    const b = bus("backups");
    await expect(b.jsm.streams.update(apps, { ...before, max_age: 3_600_000_000_000 })).rejects.toMatchObject(
      PERMISSION,
    );
    await expect(b.jsm.streams.purge(apps)).rejects.toMatchObject(PERMISSION);
    await expect(b.jsm.streams.delete(apps)).rejects.toMatchObject(PERMISSION);
    // Creating it again (which a consumer may, when absent) cannot change it.
    await expect(b.jsm.streams.add({ ...before, max_age: 3_600_000_000_000 })).rejects.toMatchObject({
      api_error: { err_code: 10058 },
    });
    // A service that does not consume a stream cannot even create it.
    await expect(
      bus("hosts").jsm.streams.add({
        ...before,
        name: streamName(ns, "BACKUPS"),
        subjects: [`${ns}.backups.>`],
      }),
    ).rejects.toMatchObject(PERMISSION);
    await expect(bus("applications").jsm.streams.delete(apps)).rejects.toMatchObject(PERMISSION);
    await expect(bus("applications").jsm.streams.purge(apps)).rejects.toMatchObject(PERMISSION);
    expect((await bus("applications").jsm.streams.info(apps)).config.max_age).toBe(before.max_age);
  });
});

describe("nats permissions - derived from the catalogs", () => {
  it("natsPermissions - each durable and bucket belongs to one service; no wildcard reaches a consumer, bucket or stream of another", () => {
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
        expect(subject).not.toMatch(/\.(DELETE|PURGE)\./);
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
    }
  });

  it("natsServerConfig - names a service whose nkey is missing or not a user key, instead of writing a config", () => {
    const { applications: _, ...withoutApplications } = users;
    expect(() => natsServerConfig({ ns, users: withoutApplications, storeDir: "/tmp/x" })).toThrow(
      /applications/,
    );
    expect(() =>
      natsServerConfig({ ns, users: { ...users, hosts: keys.get("hosts")!.natsSeed }, storeDir: "/tmp/x" }),
    ).toThrow(/hosts/);
    expect(() => natsServerConfig({ ns: "Bad-NS", users, storeDir: "/tmp/x" })).toThrow(/namespace/);
    // Identities that do not use NATS get no user at all.
    expect(natsServerConfig({ ns, users, storeDir: "/tmp/x" })).not.toContain(users.secrets!);
  });
});
