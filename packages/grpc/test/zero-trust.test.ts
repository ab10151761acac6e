import { sign } from "node:crypto";
import { connect } from "node:net";
import {
  type ChannelCredentials,
  credentials,
  Metadata,
  makeGenericClientConstructor,
  type ServiceError,
  status,
} from "@grpc/grpc-js";
import { createPlatformCa, issueServiceCertificate } from "@proximity/identity";
import { backupsV1 } from "@proximity/proto";
import { testLogger } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createCallToken,
  createGrpcServer,
  createServiceClient,
  generateServiceKeys,
  peerChannel,
  type ServiceKeys,
} from "../src/index.js";
import { GET_BACKUP_POLICY, startBackupsServer, type TestServer } from "./support/backups-server.js";

// One platform (one CA) and a stranger platform with the same service names but another CA.
const ca = await createPlatformCa();
const keys = await generateServiceKeys(["backups", "api-gateway", "applications", "hosts"], ca);
const strangers = await generateServiceKeys(["api-gateway"]);
const key = (name: string) => keys.get(name)!;
let backups: TestServer;

beforeAll(async () => {
  backups = await startBackupsServer(key("backups"), { callers: ["api-gateway", "applications"] });
});

afterAll(async () => {
  await backups.server.shutdown(1_000);
});

/** The mTLS channel a platform service opens to the backups server. */
const channelAs = (identity: string) => peerChannel(key(identity), "backups");

const BackupsClient = makeGenericClientConstructor(backupsV1.BackupsServiceService, "backups");

/** A raw GetBackupPolicy call with the given channel and `authorization` value: the status code (OK = 0). */
function rawCall(
  channel: { credentials: ChannelCredentials; options?: object },
  authorization: string | undefined,
  extra: Record<string, string> = {},
): Promise<{ code: status; details: string }> {
  const client = new BackupsClient(
    backups.address,
    channel.credentials,
    channel.options ?? {},
  ) as unknown as {
    getBackupPolicy: (...args: unknown[]) => void;
    close(): void;
  };
  const md = new Metadata();
  if (authorization) md.set("authorization", authorization);
  for (const [k, v] of Object.entries(extra)) md.set(k, v);
  return new Promise((resolve) => {
    client.getBackupPolicy(
      { appId: "a1" },
      md,
      { deadline: Date.now() + 5_000 },
      (err: ServiceError | null) => {
        client.close();
        resolve({ code: err?.code ?? status.OK, details: err?.details ?? "" });
      },
    );
  });
}

const bearer = (token: string) => `Bearer ${token}`;
const tokenAs = (keysOf: ServiceKeys, method = GET_BACKUP_POLICY) =>
  bearer(createCallToken(keysOf, { audience: "backups", method }));

/** Signs arbitrary claims in the token format, as a holder of `signer`'s key could. */
function signedClaims(signer: ServiceKeys, claims: unknown): string {
  const signed = `v2.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
  return bearer(`${signed}.${sign(null, Buffer.from(signed), signer.privateKey).toString("base64url")}`);
}

const validClaims = (overrides: Record<string, unknown> = {}) => {
  const now = Math.floor(Date.now() / 1000);
  return {
    iss: "api-gateway",
    aud: "backups",
    iat: now,
    exp: now + 60,
    mth: GET_BACKUP_POLICY,
    jti: `t-${Math.random().toString(36).slice(2)}-${Date.now()}`,
    ...overrides,
  };
};

describe("mutual TLS", () => {
  it("transport - a platform client is served; plaintext, no certificate and another CA's certificate are refused", async () => {
    const gateway = key("api-gateway");
    expect(await rawCall(peerChannel(gateway, "backups"), tokenAs(gateway))).toMatchObject({
      code: status.OK,
    });
    const ca = Buffer.from(gateway.tls.caPem);
    const override = { "grpc.ssl_target_name_override": "backups" };
    // Each carries a valid token: only the transport is wrong.
    expect(await rawCall({ credentials: credentials.createInsecure() }, tokenAs(gateway))).toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(
      await rawCall({ credentials: credentials.createSsl(ca), options: override }, tokenAs(gateway)),
    ).toMatchObject({ code: status.UNAVAILABLE });
    const stranger = strangers.get("api-gateway")!;
    const foreignCert = credentials.createSsl(
      ca,
      Buffer.from(stranger.tls.keyPem),
      Buffer.from(stranger.tls.certPem),
    );
    expect(await rawCall({ credentials: foreignCert, options: override }, tokenAs(gateway))).toMatchObject({
      code: status.UNAVAILABLE,
    });
    expect(backups.seen.filter((c) => c.caller === "api-gateway")).toHaveLength(1);
  });

  it("client - refuses a server whose certificate names another service", async () => {
    // The backups server is dialled as if it were the hosts service.
    const asHosts = createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
      address: backups.address,
      audience: "hosts",
      keys: key("api-gateway"),
      defaultDeadlineMs: 3_000,
    });
    const err = await asHosts.getBackupPolicy({ appId: "a1" }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: "UNAVAILABLE" });
    asHosts.close();
  });

  it("client - checks the server's service identity, not only its DNS names", async () => {
    // A backups certificate that (by a setup mistake) also carries the DNS name "hosts".
    const misissued = await issueServiceCertificate(ca, "backups", { dnsNames: ["hosts"] });
    const impostor = await startBackupsServer(
      { ...key("backups"), tls: { ...key("backups").tls, ...misissued } },
      { callers: ["api-gateway"] },
    );
    const dial = (audience: string) =>
      createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
        address: impostor.address,
        audience,
        keys: key("api-gateway"),
        defaultDeadlineMs: 3_000,
      });
    const asHosts = dial("hosts");
    await expect(asHosts.getBackupPolicy({ appId: "a1" })).rejects.toMatchObject({ code: "UNAVAILABLE" });
    const asBackups = dial("backups");
    await expect(asBackups.getBackupPolicy({ appId: "a1" })).resolves.toMatchObject({
      policy: { appId: "a1" },
    });
    for (const c of [asHosts, asBackups]) c.close();
    await impostor.server.shutdown(1_000);
  });
});

/** Whether a TCP connection to host:port is accepted. */
const reachable = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });

describe("bind address", () => {
  it("server - listens on 127.0.0.1 unless given a host, never on every interface", async () => {
    // 127.0.0.2 is loopback too (Linux routes 127/8 to lo): a wildcard bind would answer there.
    const byDefault = createGrpcServer({ logger: testLogger(), keys: key("backups"), port: 0, services: [] });
    const port = await byDefault.start();
    expect(await reachable("127.0.0.1", port)).toBe(true);
    expect(await reachable("127.0.0.2", port)).toBe(false);
    await byDefault.shutdown(1_000);
    const given = createGrpcServer({
      logger: testLogger(),
      keys: key("backups"),
      host: "127.0.0.2",
      port: 0,
      services: [],
    });
    const givenPort = await given.start();
    expect(await reachable("127.0.0.2", givenPort)).toBe(true);
    expect(await reachable("127.0.0.1", givenPort)).toBe(false);
    await given.shutdown(1_000);
  });
});

describe("call tokens", () => {
  it("identity - a caller with service A's certificate and a token of service B is refused", async () => {
    // applications holds a token the gateway signed (both are allowed callers of this RPC).
    const applicationsChannel = channelAs("applications");
    const before = backups.seen.length;
    expect(await rawCall(applicationsChannel, tokenAs(key("api-gateway")))).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: expect.stringContaining("certificate"),
    });
    // The other way round too: the gateway's certificate with applications' token.
    expect(await rawCall(channelAs("api-gateway"), tokenAs(key("applications")))).toMatchObject({
      code: status.UNAUTHENTICATED,
    });
    expect(backups.seen.length).toBe(before);
    // Each with its own token is served.
    expect(await rawCall(applicationsChannel, tokenAs(key("applications")))).toMatchObject({
      code: status.OK,
    });
  });

  it("method - a token made for another method is refused", async () => {
    const other = tokenAs(key("api-gateway"), "/proximity.backups.v1.BackupsService/DeleteBackup");
    expect(await rawCall(channelAs("api-gateway"), other)).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: expect.stringContaining("another method"),
    });
  });

  it("replay - the same token is accepted once", async () => {
    const token = tokenAs(key("api-gateway"));
    expect(await rawCall(channelAs("api-gateway"), token)).toMatchObject({ code: status.OK });
    expect(await rawCall(channelAs("api-gateway"), token)).toMatchObject({
      code: status.UNAUTHENTICATED,
      details: expect.stringContaining("replayed"),
    });
  });

  it("malformed - a token whose claims are null (signed or not) is UNAUTHENTICATED, not INTERNAL", async () => {
    const gateway = key("api-gateway");
    for (const authorization of [
      "Bearer v1.bnVsbA.AA",
      "Bearer v2.bnVsbA.AA",
      signedClaims(gateway, null),
      signedClaims(gateway, [1, 2]),
      signedClaims(gateway, "api-gateway"),
      signedClaims(gateway, validClaims({ iat: "now" })),
      undefined,
    ]) {
      expect(await rawCall(channelAs("api-gateway"), authorization)).toMatchObject({
        code: status.UNAUTHENTICATED,
      });
    }
  });

  it("lifetime - tokens that are expired, from the future or too long-lived are refused", async () => {
    const gateway = key("api-gateway");
    const now = Math.floor(Date.now() / 1000);
    expect(await rawCall(channelAs("api-gateway"), signedClaims(gateway, validClaims()))).toMatchObject({
      code: status.OK,
    });
    for (const claims of [
      validClaims({ iat: now - 61, exp: now }),
      validClaims({ iat: now + 60, exp: now + 120 }),
      validClaims({ iat: now, exp: now + 3_600 }),
    ]) {
      expect(await rawCall(channelAs("api-gateway"), signedClaims(gateway, claims))).toMatchObject({
        code: status.UNAUTHENTICATED,
      });
    }
  });
});

describe("end user", () => {
  it("claims - the end user reaches the handler from the gateway's signed token", async () => {
    const gateway = createServiceClient<backupsV1.BackupsServiceServer>(backupsV1.BackupsServiceService, {
      address: backups.address,
      audience: "backups",
      keys: key("api-gateway"),
    });
    const traceparent = "00-0123456789abcdef0123456789abcdef-0123456789abcdef-01";
    await gateway.getBackupPolicy({ appId: "u" }, { user: { id: "u1", isAdmin: true }, traceparent });
    expect(backups.seen.at(-1)).toMatchObject({ caller: "api-gateway", user: { id: "u1", isAdmin: true } });
    expect(backups.seen.at(-1)?.traceparent).toBe(traceparent);
    await gateway.getBackupPolicy({ appId: "u" }, { user: { id: "u2", isAdmin: false } });
    expect(backups.seen.at(-1)).toMatchObject({ user: { id: "u2", isAdmin: false } });
    await gateway.getBackupPolicy({ appId: "u" });
    expect(backups.seen.at(-1)).toMatchObject({ caller: "api-gateway", user: undefined });
    gateway.close();
  });

  it("claims - metadata cannot name an end user, even from the gateway", async () => {
    const extra = { "x-user-id": "u-admin", "x-user-admin": "1" };
    expect(await rawCall(channelAs("api-gateway"), tokenAs(key("api-gateway")), extra)).toMatchObject({
      code: status.OK,
    });
    expect(backups.seen.at(-1)).toMatchObject({ caller: "api-gateway", user: undefined });
  });

  it("claims - a caller not trusted with end users cannot pass one", async () => {
    const applications = createServiceClient<backupsV1.BackupsServiceServer>(
      backupsV1.BackupsServiceService,
      {
        address: backups.address,
        audience: "backups",
        keys: key("applications"),
      },
    );
    const before = backups.seen.length;
    await expect(
      applications.getBackupPolicy({ appId: "u" }, { user: { id: "u1", isAdmin: true } }),
    ).rejects.toMatchObject({ code: "PERMISSION_DENIED" });
    expect(backups.seen.length).toBe(before);
    // Without an end user it may call.
    await applications.getBackupPolicy({ appId: "u" });
    expect(backups.seen.at(-1)).toMatchObject({ caller: "applications", user: undefined });
    applications.close();
  });

  it("allow-list - a platform service outside the RPC's callers is refused", async () => {
    expect(await rawCall(channelAs("hosts"), tokenAs(key("hosts")))).toMatchObject({
      code: status.PERMISSION_DENIED,
    });
  });
});

describe("replay cache", () => {
  /** A backups server remembering at most `perCaller` token ids per calling service. */
  const tinyCache = (perCaller: number) =>
    startBackupsServer(key("backups"), {
      callers: ["api-gateway", "applications"],
      replayCapacityPerCaller: perCaller,
      userTrustedCallers: ["api-gateway"],
    });
  /** A raw call to `server` as `identity` with a fresh token of that identity (and an end user). */
  const callAs = (server: TestServer, identity: string, user?: { id: string; isAdmin: boolean }) => {
    const channel = channelAs(identity);
    const token = bearer(
      createCallToken(key(identity), {
        audience: "backups",
        method: GET_BACKUP_POLICY,
        ...(user ? { user } : {}),
      }),
    );
    const client = new BackupsClient(
      server.address,
      channel.credentials,
      channel.options ?? {},
    ) as unknown as {
      getBackupPolicy: (...args: unknown[]) => void;
      close(): void;
    };
    const md = new Metadata();
    md.set("authorization", token);
    return new Promise<status>((resolve) => {
      client.getBackupPolicy(
        { appId: "a1" },
        md,
        { deadline: Date.now() + 5_000 },
        (err: ServiceError | null) => {
          client.close();
          resolve(err?.code ?? status.OK);
        },
      );
    });
  };

  it("replay cache - refused callers (allow-list, end user) take no place in it", async () => {
    const server = await tinyCache(2);
    try {
      // hosts may not call the RPC; applications may, but not for an end user.
      for (let i = 0; i < 4; i++) {
        expect(await callAs(server, "hosts")).toBe(status.PERMISSION_DENIED);
        expect(await callAs(server, "applications", { id: "u1", isAdmin: true })).toBe(
          status.PERMISSION_DENIED,
        );
      }
      expect(await callAs(server, "applications")).toBe(status.OK);
      expect(await callAs(server, "api-gateway")).toBe(status.OK);
    } finally {
      await server.server.shutdown(1_000);
    }
  });

  it("replay cache - an allowed caller that fills its share does not starve another caller", async () => {
    const server = await tinyCache(2);
    try {
      expect(await callAs(server, "applications")).toBe(status.OK);
      expect(await callAs(server, "applications")).toBe(status.OK);
      expect(await callAs(server, "applications")).toBe(status.UNAVAILABLE);
      expect(await callAs(server, "api-gateway")).toBe(status.OK);
    } finally {
      await server.server.shutdown(1_000);
    }
  });
});
