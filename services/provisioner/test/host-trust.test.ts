/**
 * How the provisioner decides to trust a host: the API's TLS against a per-host CA (issue 4), and
 * SSH host keys read once for nodes an admin opened to trust on first use (issue 3).
 */
import { randomUUID } from "node:crypto";
import { createProxmoxSimulator, type ProxmoxSimulator, type RunningSimulator } from "@proximity/proxmox-sim";
import { selfSignedCert } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_ERRORS } from "../src/app/check-host.js";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";
import { reportFor, requestCheck } from "./support/host-check-events.js";

const TLS_TOKEN = { tokenId: "proximity@pve!tls", secret: randomUUID() };

let h: Harness;
let tlsSim: ProxmoxSimulator;
let tlsInfo: RunningSimulator;

beforeAll(async () => {
  h = await startHarness({ HOST_CHECK_TIMEOUT_MS: "2000" });
  const cert = selfSignedCert();
  tlsSim = createProxmoxSimulator({
    httpPort: 0,
    sshPort: 0,
    authFailureDelayMs: 0,
    tokens: [TLS_TOKEN],
    ssh: { username: "root", password: "unused" },
    tls: { cert: cert.cert, key: cert.key },
  });
  tlsInfo = await tlsSim.start();
  const url = new URL(tlsInfo.baseUrl);
  h.peers.secrets.set("tls/api", Buffer.from(TLS_TOKEN.secret));
  const base = h.peers.hosts.get(HOST_ID)!;
  const overHttps = (id: string, tlsCaPem: string) => ({
    ...base,
    apiSecretName: "tls/api",
    tlsCaPem,
    host: {
      ...base.host,
      id,
      address: url.hostname,
      port: Number(url.port),
      username: TLS_TOKEN.tokenId,
      insecureHttp: false,
    },
  });
  h.peers.hosts.set("host-ca", overHttps("host-ca", cert.cert));
  h.peers.hosts.set("host-no-ca", overHttps("host-no-ca", ""));
  h.peers.hosts.set("host-tofu", {
    ...base,
    host: {
      ...base.host,
      id: "host-tofu",
      nodes: base.host.nodes.map((n) => ({ ...n, sshHostKeyFingerprint: "", trustOnFirstUse: true })),
    },
  });
});

afterAll(async () => {
  await h?.close();
  await tlsSim?.stop();
});

describe("TLS CA per host", () => {
  it("tls ca - a host whose self-signed certificate is its configured CA is reachable", async () => {
    const report = await reportFor(h.bus, await requestCheck(h, "host-ca"));
    expect(report).toMatchObject({ reachable: true, error: "" });
    expect(report.pveVersion).not.toBe("");
  });

  it("tls ca - without fingerprint or CA the certificate is refused, with a safe TLS text", async () => {
    const report = await reportFor(h.bus, await requestCheck(h, "host-no-ca"));
    expect(report).toMatchObject({ reachable: false, error: CHECK_ERRORS.tls, nodes: [] });
  });
});

describe("SSH trust on first use", () => {
  it("tofu - a host check reads the node's real host key for a node awaiting it", async () => {
    const report = await reportFor(h.bus, await requestCheck(h, "host-tofu"));
    expect(report.reachable).toBe(true);
    expect(report.nodes.map((n) => [n.name, n.sshHostKeyFingerprint])).toEqual([
      [h.simInfo.nodes[0]!.name, h.simInfo.nodes[0]!.hostKeyFingerprint],
    ]);
  });

  it("tofu - a node with a pinned key is not probed (its report carries no key)", async () => {
    const report = await reportFor(h.bus, await requestCheck(h, HOST_ID));
    expect(report.nodes.map((n) => n.sshHostKeyFingerprint)).toEqual([""]);
  });

  it("tofu - a deploy to a node without a pinned key fails for good, before touching the node", async () => {
    const request = h.deployRequest({ hostId: "host-tofu" });
    const commandsBefore = h.sim.commandLog().length;
    const containersBefore = h.sim.containers().length;
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      `Node ${request.node} has no pinned SSH host key yet: run a host check`,
    );
    expect(h.sim.commandLog()).toHaveLength(commandsBefore);
    expect(h.sim.containers()).toHaveLength(containersBefore);
  });
});
