/**
 * Optional run against a real Proxmox VE host, read-only calls only. Set PVE_URL
 * (https://host:8006), PVE_TOKEN_ID (user@realm!id) and PVE_TOKEN_SECRET; optionally
 * PVE_TLS_FINGERPRINT (pinned cert) or PVE_TLS_INSECURE=1. Without them the suite is skipped, with
 * the reason printed, since these machines have no Proxmox host.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createProxmoxClient, type ExtendedProxmoxClient, type ProxmoxTls } from "../src/index.js";
import { memoryLogger } from "./support/logger.js";

const { PVE_URL, PVE_TOKEN_ID, PVE_TOKEN_SECRET, PVE_TLS_FINGERPRINT, PVE_TLS_INSECURE } = process.env;
const configured = Boolean(PVE_URL && PVE_TOKEN_ID && PVE_TOKEN_SECRET);
if (!configured) {
  console.info(
    "real-pve: skipped - set PVE_URL, PVE_TOKEN_ID and PVE_TOKEN_SECRET to run against a real host",
  );
}

describe.skipIf(!configured)("client against a real Proxmox VE (read-only)", () => {
  let client: ExtendedProxmoxClient;
  let node = "";

  beforeAll(() => {
    const tls: ProxmoxTls = PVE_TLS_FINGERPRINT
      ? { fingerprint: PVE_TLS_FINGERPRINT }
      : PVE_TLS_INSECURE === "1"
        ? { insecure: true }
        : {};
    client = createProxmoxClient(
      { baseUrl: PVE_URL!, auth: { kind: "token", tokenId: PVE_TOKEN_ID!, secret: PVE_TOKEN_SECRET! }, tls },
      { logger: memoryLogger().logger },
    );
  });
  afterAll(() => client?.close());

  it("real - version and nodes", async () => {
    expect((await client.version()).version).toMatch(/^\d+\.\d+/);
    const nodes = await client.listNodes();
    expect(nodes.length).toBeGreaterThan(0);
    node = nodes.find((n) => n.status === "online")?.node ?? nodes[0]!.node;
  });

  it("real - cluster resources and nextid (a suggestion, echoed back when free)", async () => {
    const resources = await client.clusterResources();
    expect(resources.some((r) => r.type === "node")).toBe(true);
    const id = await client.nextId();
    expect(id).toBeGreaterThanOrEqual(100);
    expect(await client.nextId(id!)).toBe(id);
  });

  it("real - storage content of every active storage decodes", async () => {
    const storages = await client.listStorages(node, { enabled: true });
    for (const s of storages.filter((x) => x.active !== false)) {
      const content = await client.listStorageContent(node, s.storage);
      for (const item of content) expect(item.volid.startsWith(`${s.storage}:`)).toBe(true);
    }
  });
});
