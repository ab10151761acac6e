import { UnavailableError } from "@proximity/errors";
import { metricsRegistry } from "@proximity/metrics";
import { SpanKind } from "@proximity/telemetry";
import { recordingTracer } from "@proximity/telemetry/internal";
import { afterEach, describe, expect, it } from "vitest";
import { createBreakerRegistry, createProxmoxClient } from "../src/index.js";
import { ok, pveError, startFakePve } from "./support/fake-pve.js";
import { memoryLogger } from "./support/logger.js";

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(tracer?: ReturnType<typeof recordingTracer>["tracer"]) {
  let mode: "down" | "up" | "missing" = "down";
  const pve = await startFakePve(() =>
    mode === "down"
      ? pveError(595, "Connection refused")
      : mode === "missing"
        ? pveError(500, "CT 1 does not exist")
        : ok([]),
  );
  const breakers = createBreakerRegistry({
    resetTimeout: 200,
    volumeThreshold: 3,
    errorThresholdPercentage: 50,
  });
  const client = createProxmoxClient(
    { baseUrl: pve.url, auth: { kind: "token", tokenId: "u@pve!t", secret: "s" }, breakerKey: "pve1" },
    { logger: memoryLogger().logger, breakers, ...(tracer ? { tracer } : {}) },
  );
  cleanups.push(
    () => pve.close(),
    () => breakers.shutdown(),
    () => client.close(),
  );
  return { pve, breakers, client, set: (m: typeof mode) => (mode = m) };
}

describe("createBreakerRegistry", () => {
  it("breaker - opens after transient failures and then fails fast without calling the host", async () => {
    const { pve, breakers, client } = await setup();
    for (let i = 0; i < 3; i++) await expect(client.listNodes()).rejects.toBeInstanceOf(UnavailableError);
    expect(breakers.state("pve1")).toBe("open");
    const sent = pve.requests.length;
    const err = (await client.listNodes().catch((e: unknown) => e)) as UnavailableError;
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.message).toBe("The Proxmox host is temporarily unavailable");
    expect(pve.requests.length).toBe(sent);
    expect(breakers.snapshot().pve1).toMatchObject({ state: "open", failures: 3 });
  });

  it("breaker - half-opens after resetTimeout and closes on a successful probe", async () => {
    const { breakers, client, set } = await setup();
    for (let i = 0; i < 3; i++) await client.listNodes().catch(() => undefined);
    expect(breakers.state("pve1")).toBe("open");
    await new Promise((r) => setTimeout(r, 250));
    expect(breakers.state("pve1")).toBe("halfOpen");
    set("up");
    await expect(client.listNodes()).resolves.toEqual([]);
    expect(breakers.state("pve1")).toBe("closed");
  });

  it("breaker - a failed half-open probe opens it again", async () => {
    const { breakers, client } = await setup();
    for (let i = 0; i < 3; i++) await client.listNodes().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 250));
    await client.listNodes().catch(() => undefined);
    expect(breakers.state("pve1")).toBe("open");
  });

  it("breaker - not-found and other caller errors do not count as failures", async () => {
    const { breakers, client, set } = await setup();
    set("missing");
    for (let i = 0; i < 6; i++) await client.containerConfig("pve1", 101).catch(() => undefined);
    expect(breakers.state("pve1")).toBe("closed");
    expect(breakers.snapshot().pve1?.failures).toBe(0);
  });

  it("breaker - breakers are per key and unknown keys read as closed", async () => {
    const breakers = createBreakerRegistry({ volumeThreshold: 1 });
    cleanups.push(() => breakers.shutdown());
    await breakers.fire("a", () => Promise.reject(new UnavailableError())).catch(() => undefined);
    expect(breakers.state("a")).toBe("open");
    expect(breakers.state("b")).toBe("closed");
    await expect(breakers.fire("b", async () => 42)).resolves.toBe(42);
  });

  it("breaker - reset forgets an open breaker: the next call goes to the host through a closed one", async () => {
    const { pve, breakers, client, set } = await setup();
    for (let i = 0; i < 3; i++) await client.listNodes().catch(() => undefined);
    expect(breakers.state("pve1")).toBe("open");
    expect(breakers.reset("pve1")).toMatchObject({ state: "open", failures: 3 });
    expect(breakers.snapshot().pve1).toBeUndefined();
    set("up");
    const sent = pve.requests.length;
    await expect(client.listNodes()).resolves.toEqual([]);
    expect(pve.requests.length).toBe(sent + 1);
    expect(breakers.snapshot().pve1).toMatchObject({ state: "closed", failures: 0, successes: 1 });
    expect(breakers.reset("never-called")).toBeUndefined();
  });

  it("breaker - times every call by key and outcome, rejections by the open breaker included", async () => {
    const { breakers, client, set } = await setup();
    const count = async (outcome: string) =>
      Number(
        (await metricsRegistry().getSingleMetricAsString("proximity_proxmox_call_seconds"))
          .split("\n")
          .find((l) => l.startsWith(`proximity_proxmox_call_seconds_count{host="pve1",outcome="${outcome}"}`))
          ?.split(" ")[1] ?? 0,
      );
    const before = { ok: await count("ok"), unavailable: await count("unavailable") };
    for (let i = 0; i < 4; i++) await client.listNodes().catch(() => undefined);
    expect(breakers.state("pve1")).toBe("open");
    expect(await count("unavailable")).toBe(before.unavailable + 4);
    await new Promise((r) => setTimeout(r, 250));
    set("up");
    await client.listNodes();
    expect(await count("ok")).toBe(before.ok + 1);
  });
});

describe("tracing", () => {
  it("span - one client span per API call: method, path template and host, never the token", async () => {
    const recorded = recordingTracer();
    const { client, set } = await setup(recorded.tracer);
    set("missing");
    await expect(client.containerStatus("pve1", 101)).rejects.toThrow();
    set("up");
    await client.listContainers("pve1");
    const [failed, listed] = recorded.spans();
    expect(listed).toMatchObject({
      name: "GET /nodes/{node}/lxc",
      kind: SpanKind.CLIENT,
      attributes: {
        "http.request.method": "GET",
        "url.template": "/nodes/{node}/lxc",
        "proximity.proxmox.breaker": "pve1",
      },
    });
    expect(listed!.attributes["server.address"]).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(failed).toMatchObject({
      name: "GET /nodes/{node}/lxc/{vmid}/status/current",
      status: { code: 2 },
    });
    for (const span of recorded.spans())
      for (const value of Object.values(span.attributes)) expect(String(value)).not.toContain("u@pve!t");
  });
});
