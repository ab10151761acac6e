/**
 * The simulator over HTTPS with a self-signed certificate, as a fresh Proxmox node serves it, driven
 * by the real client: its TLS policy (pin, CA, verification on by default) must hold against it.
 */
import { X509Certificate } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createLogger } from "@proximity/logger";
import { createBreakerRegistry, createProxmoxClient, type ProxmoxTls } from "@proximity/proxmox";
import { selfSignedCert, type TestCert } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatorConfigSchema } from "../src/config.js";
import { loadSimTls } from "../src/tls.js";
import { DEBIAN, type SimHarness, startSim, TOKEN } from "./support/sim-fixture.js";

describe("simulator over HTTPS", () => {
  let cert: TestCert;
  let other: TestCert;
  let h: SimHarness;
  /**
   * The client's typed refusal (@proximity/errors is not a dependency of the simulator, so matched by
   * name and code rather than instanceof).
   */
  const tlsRefused = {
    // A subclass of UnavailableError (same code), so callers can say "configure a fingerprint or CA".
    name: "ProxmoxTlsError",
    code: "UNAVAILABLE",
    message: expect.stringContaining("TLS certificate"),
  };
  const breakers = createBreakerRegistry();
  const logger = createLogger({ service: "sim-https-test", level: "silent" });

  beforeAll(async () => {
    cert = selfSignedCert();
    other = selfSignedCert("someone-else");
    h = await startSim({ tls: { cert: cert.cert, key: cert.key } });
  });

  afterAll(async () => {
    breakers.shutdown();
    await h?.sim.stop();
  });

  /** Runs `fn` with a fresh client (own breaker key, so one refused test cannot open another's breaker). */
  async function withClient<T>(
    tls: ProxmoxTls | undefined,
    fn: (c: ReturnType<typeof createProxmoxClient>) => Promise<T>,
  ): Promise<T | unknown> {
    const client = createProxmoxClient(
      { baseUrl: h.running.baseUrl, auth: { kind: "token", ...TOKEN }, tls, breakerKey: crypto.randomUUID() },
      { logger, breakers },
    );
    try {
      return await fn(client).catch((e: unknown) => e);
    } finally {
      await client.close();
    }
  }

  it("https - baseUrl is https://", () => {
    expect(h.running.baseUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it("https - the pinned fingerprint works: version, nodes, create and wait", async () => {
    const result = await withClient({ fingerprint: cert.fingerprint256 }, async (c) => {
      const version = await c.version();
      const nodes = (await c.listNodes()).map((n) => n.node);
      const vmid = (await c.nextId()) ?? 0;
      const upid = await c.createContainer("pve1", { vmid, ostemplate: DEBIAN, hostname: "tls-one" });
      const task = await c.waitForTask(upid, { intervalMs: 10, timeoutMs: 5_000 });
      return { version: version.version, nodes, exitstatus: task.exitstatus, vmid };
    });
    expect(result).toMatchObject({ version: expect.stringMatching(/^\d+\.\d+/), nodes: ["pve1", "pve2"] });
    expect(result).toMatchObject({ exitstatus: "OK" });
    const { vmid } = result as { vmid: number };
    expect(h.sim.containers().find((ct) => ct.vmid === vmid)?.hostname).toBe("tls-one");
  });

  it("https - a wrong pinned fingerprint is refused with a typed TLS error", async () => {
    const result = await withClient({ fingerprint: other.fingerprint256 }, (c) => c.version());
    expect(result).toMatchObject(tlsRefused);
    // The cause says which certificate was seen, for the operator's log.
    expect((result as Error).cause).toMatchObject({ code: "PVE_TLS_PIN", actual: cert.fingerprint256 });
  });

  it("https - with neither pin nor CA the self-signed certificate is refused (verification on)", async () => {
    const result = await withClient(undefined, (c) => c.version());
    expect(result).toMatchObject(tlsRefused);
  });

  it("https - the self-signed certificate given as CA is trusted", async () => {
    const result = await withClient({ ca: cert.cert }, (c) => c.listNodes());
    expect((result as { node: string }[]).map((n) => n.node)).toEqual(["pve1", "pve2"]);
    // A different CA does not vouch for it.
    expect(await withClient({ ca: other.cert }, (c) => c.version())).toMatchObject(tlsRefused);
  });
});

describe("simulator TLS configuration", () => {
  const base = { SIM_TOKEN_SECRET: "s", SIM_SSH_PASSWORD: "p" };

  it("config - cert and key files go together", () => {
    expect(simulatorConfigSchema.safeParse({ ...base, SIM_TLS_CERT_FILE: "/c.pem" }).success).toBe(false);
    expect(
      simulatorConfigSchema.safeParse({ ...base, SIM_TLS_CERT_FILE: "/c.pem", SIM_TLS_KEY_FILE: "/k.pem" })
        .success,
    ).toBe(true);
    expect(simulatorConfigSchema.safeParse(base).success).toBe(true);
  });

  it("config - the loaded certificate carries the fingerprint the state file publishes", async () => {
    const cert = selfSignedCert();
    const dir = mkdtempSync(join(tmpdir(), "sim-tls-"));
    try {
      writeFileSync(join(dir, "cert.pem"), cert.cert);
      writeFileSync(join(dir, "key.pem"), cert.key);
      const tls = await loadSimTls(join(dir, "cert.pem"), join(dir, "key.pem"));
      expect(tls.fingerprint256).toBe(new X509Certificate(cert.cert).fingerprint256);
      expect(tls.fingerprint256).toMatch(/^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
