import { UnavailableError } from "@proximity/errors";
import { caSignedCert, selfSignedCert, type TestCert } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { createBreakerRegistry, createProxmoxClient, type ProxmoxTls } from "../src/index.js";
import { PINNED_RESUMPTION_MAX_MS } from "../src/tls.js";
import { type FakePve, ok, startFakePve } from "./support/fake-pve.js";
import { memoryLogger } from "./support/logger.js";

describe("TLS policy", () => {
  let selfSigned: TestCert;
  let ca: { ca: string; leaf: TestCert };
  let pinned: FakePve;
  let caServer: FakePve;
  let plain: FakePve;
  const breakers = createBreakerRegistry();

  beforeAll(async () => {
    selfSigned = selfSignedCert();
    ca = caSignedCert();
    const route = () => ok({ version: "9.1.1", release: "9.1", repoid: "x" });
    pinned = await startFakePve(route, selfSigned);
    caServer = await startFakePve(route, ca.leaf);
    plain = await startFakePve(route);
  });

  afterAll(async () => {
    breakers.shutdown();
    await pinned.close();
    await caServer.close();
    await plain.close();
  });

  async function version(server: FakePve, tls?: ProxmoxTls) {
    const log = memoryLogger();
    const client = createProxmoxClient(
      {
        baseUrl: server.url,
        auth: { kind: "token", tokenId: "u@pve!t", secret: "s" },
        tls,
        breakerKey: Math.random().toString(),
      },
      { logger: log.logger, breakers },
    );
    try {
      return { result: await client.version().catch((e: unknown) => e), log };
    } finally {
      await client.close();
    }
  }

  /** Answers the version and closes the connection: the next request opens a new one. */
  const closingRoute = () => ({
    ...ok({ version: "9.1.1", release: "9.1", repoid: "x" }),
    closeConnection: true,
  });

  /** A client of `url` pinned to the self-signed certificate. */
  const pinnedClient = (url: string) =>
    createProxmoxClient(
      {
        baseUrl: url,
        auth: { kind: "token", tokenId: "u@pve!t", secret: "s" },
        tls: { fingerprint: selfSigned.fingerprint256 },
        breakerKey: Math.random().toString(),
      },
      { logger: memoryLogger().logger, breakers },
    );

  it("tls - a self-signed certificate is refused by default", async () => {
    const { result } = await version(pinned);
    expect(result).toBeInstanceOf(UnavailableError);
  });

  it("tls - the pinned fingerprint is accepted (any case, with or without colons)", async () => {
    expect((await version(pinned, { fingerprint: selfSigned.fingerprint256 })).result).toMatchObject({
      version: "9.1.1",
    });
    const bare = selfSigned.fingerprint256.replaceAll(":", "").toLowerCase();
    expect((await version(pinned, { fingerprint: bare })).result).toMatchObject({ version: "9.1.1" });
  });

  it("tls - a wrong fingerprint is refused even when insecure is also set", async () => {
    const wrong = ca.leaf.fingerprint256;
    const { result } = await version(pinned, { fingerprint: wrong });
    expect(result).toBeInstanceOf(UnavailableError);
    expect((result as Error).message).toContain("TLS certificate");
    expect((await version(pinned, { fingerprint: wrong, insecure: true })).result).toBeInstanceOf(
      UnavailableError,
    );
  });

  it("tls - a certificate signed by the configured CA is accepted, others are not", async () => {
    expect((await version(caServer, { ca: ca.ca })).result).toMatchObject({ version: "9.1.1" });
    expect((await version(pinned, { ca: ca.ca })).result).toBeInstanceOf(UnavailableError);
  });

  it("tls - insecure accepts any certificate and warns", async () => {
    const { result, log } = await version(pinned, { insecure: true });
    expect(result).toMatchObject({ version: "9.1.1" });
    expect(log.lines().filter((l) => l.level === "warn")).toHaveLength(1);
  });

  it("tls - a pin or a CA over plain http is refused before anything is sent, never silently skipped", async () => {
    for (const tls of [{ fingerprint: selfSigned.fingerprint256 }, { ca: ca.ca }]) {
      const { result } = await version(plain, tls);
      expect(result).toBeInstanceOf(UnavailableError);
      expect((result as Error).message).toContain("TLS certificate");
    }
    expect(plain.requests).toEqual([]);
    // Plain http without a trust setting (a simulator) still works.
    expect((await version(plain)).result).toMatchObject({ version: "9.1.1" });
  });

  it("tls - a pinned host's later connections resume its TLS session; another certificate at its address is still refused", async () => {
    let server = await startFakePve(closingRoute, selfSigned);
    const client = pinnedClient(server.url);
    try {
      for (let i = 0; i < 3; i++) expect(await client.version()).toMatchObject({ version: "9.1.1" });
      // A new connection each time (the server closes them): the first full, the others resumed.
      expect(server.requests.map((r) => r.tlsResumed)).toEqual([false, true, true]);

      // Another server, another certificate, same address: it cannot resume the trusted session,
      // so it must show its certificate, which is not the pinned one.
      const port = Number(new URL(server.url).port);
      await server.close();
      server = await startFakePve(closingRoute, ca.leaf, port);
      const refused = await client.version().catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(UnavailableError);
      expect((refused as Error).message).toContain("TLS certificate");
    } finally {
      await client.close();
      await server.close();
    }
  });

  it.each(["TLSv1.2", "TLSv1.3"] as const)(
    "tls - a session of a connection refused for its certificate is never resumed (%s)",
    async (maxVersion) => {
      // TLS 1.2 hands the session over right after the handshake, before anything is sent: a
      // connector keeping it from a refused connection would resume it and be let in next time.
      const impostor = await startFakePve(closingRoute, { ...ca.leaf, maxVersion });
      const client = pinnedClient(impostor.url);
      try {
        for (let i = 0; i < 3; i++)
          expect(await client.version().catch((e: unknown) => e)).toBeInstanceOf(UnavailableError);
        expect(impostor.requests).toEqual([]);
      } finally {
        await client.close();
        await impostor.close();
      }
    },
  );

  it("tls - a pinned host's certificate is checked again once its resumed sessions are 10 minutes past the last full handshake", async () => {
    const server = await startFakePve(closingRoute, selfSigned);
    const client = pinnedClient(server.url);
    vi.useFakeTimers({ toFake: ["Date"] });
    try {
      await client.version();
      await client.version();
      vi.setSystemTime(Date.now() + PINNED_RESUMPTION_MAX_MS - 1_000);
      await client.version(); // resumed: the chain's full handshake is 9 min 59 s old
      vi.setSystemTime(Date.now() + 2_000);
      await client.version(); // full handshake again, however recent the last resumption
      await client.version();
      expect(server.requests.map((r) => r.tlsResumed)).toEqual([false, true, true, false, true]);
    } finally {
      vi.useRealTimers();
      await client.close();
      await server.close();
    }
  });
});
