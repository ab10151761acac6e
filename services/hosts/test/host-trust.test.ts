/**
 * Trust settings end to end through the hosts service: a per-host TLS CA (stored, shown by its
 * fingerprint, handed to the provisioner) and SSH trust on first use (pinned once, never replaced).
 */
import { ValidationError } from "@proximity/errors";
import { hostsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually, selfSignedCert } from "@proximity/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN, hostRequest, publishHostChecked, type Stack, sshFingerprint, startStack } from "./fixture.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const nodeReport = (name: string, sshHostKeyFingerprint: string) =>
  provisionerEventsV1.NodeReport.fromPartial({
    name,
    status: "online",
    maxMemBytes: 1024,
    sshHostKeyFingerprint,
  });

/** An UpdateHost changing only the given fields. */
const update = (over: Parameters<typeof hostsV1.UpdateHostRequest.fromPartial>[0] & { id: string }) =>
  hostsV1.UpdateHostRequest.fromPartial(over);

describe("hosts - TLS CA", () => {
  it("tls ca - stored, shown as its fingerprint, given whole to the provisioner only", async () => {
    const ca = selfSignedCert();
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest({ tlsCaPem: ca.cert }), ADMIN);
    expect(host).toMatchObject({ tlsCaFingerprint: ca.fingerprint256, tlsFingerprint: "" });
    const connection = await stack.hostsAs("provisioner").getHostConnection({ hostId: host!.id });
    expect(connection.tlsCaPem).toBe(ca.cert);
    // Pinning a certificate afterwards replaces the CA (one verification mode at a time).
    const pin = ca.fingerprint256;
    const { host: pinned } = await gateway.updateHost(
      update({ id: host!.id, tlsFingerprint: pin, credentials: { apiSecret: "api-again" } }),
      ADMIN,
    );
    expect(pinned).toMatchObject({ tlsFingerprint: pin, tlsCaFingerprint: "" });
  });

  it("tls ca - not PEM, or together with a fingerprint, is a validation error", async () => {
    const gateway = stack.hostsAs("api-gateway");
    await expect(
      gateway.createHost(hostRequest({ tlsCaPem: "not a certificate" }), ADMIN),
    ).rejects.toBeInstanceOf(ValidationError);
    const ca = selfSignedCert();
    await expect(
      gateway.createHost(hostRequest({ tlsCaPem: ca.cert, tlsFingerprint: ca.fingerprint256 }), ADMIN),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("hosts - SSH trust on first use", () => {
  it("tofu - a node without a key needs the admin's consent", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const node = { name: "pve1", sshHost: "127.0.0.1", sshPort: 22, sshHostKeyFingerprint: "" };
    await expect(
      gateway.createHost(hostRequest({ nodes: [{ ...node, trustOnFirstUse: false }] }), ADMIN),
    ).rejects.toBeInstanceOf(ValidationError);
    const { host } = await gateway.createHost(
      hostRequest({ nodes: [{ ...node, trustOnFirstUse: true }] }),
      ADMIN,
    );
    expect(host!.nodes[0]).toMatchObject({ sshHostKeyFingerprint: "", trustOnFirstUse: true });
  });

  it("tofu - the first reported key is pinned once and never overwritten", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const node = {
      name: "pve1",
      sshHost: "127.0.0.1",
      sshPort: 22,
      sshHostKeyFingerprint: "",
      trustOnFirstUse: true,
    };
    const { host } = await gateway.createHost(hostRequest({ nodes: [node] }), ADMIN);
    const first = sshFingerprint();
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: true,
      pveVersion: "9.1.3",
      nodes: [nodeReport("pve1", first)],
    });
    const pinned = await eventually(async () => {
      const { host: h } = await gateway.getHost({ id: host!.id }, ADMIN);
      return h?.nodes[0]?.sshHostKeyFingerprint !== "" && h;
    });
    expect(pinned.nodes[0]).toMatchObject({ sshHostKeyFingerprint: first, trustOnFirstUse: false });

    // A later report with another key (a changed or spoofed host) changes nothing.
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: true,
      pveVersion: "9.1.4",
      nodes: [nodeReport("pve1", sshFingerprint())],
    });
    await eventually(
      async () => (await gateway.getHost({ id: host!.id }, ADMIN)).host?.pveVersion === "9.1.4",
    );
    expect((await gateway.getHost({ id: host!.id }, ADMIN)).host!.nodes[0]!.sshHostKeyFingerprint).toBe(
      first,
    );

    // Re-sending the node with an empty key and consent does not re-open trust on first use.
    const { host: updated } = await gateway.updateHost(update({ id: host!.id, nodes: [node] }), ADMIN);
    expect(updated!.nodes[0]).toMatchObject({ sshHostKeyFingerprint: first, trustOnFirstUse: false });
  });

  it("tofu - a key reported for a node without consent is ignored", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const registered = host!.nodes[0]!.sshHostKeyFingerprint;
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: true,
      pveVersion: "9.0.0",
      nodes: [nodeReport("pve1", sshFingerprint())],
    });
    await eventually(
      async () => (await gateway.getHost({ id: host!.id }, ADMIN)).host?.pveVersion === "9.0.0",
    );
    expect((await gateway.getHost({ id: host!.id }, ADMIN)).host!.nodes[0]!.sshHostKeyFingerprint).toBe(
      registered,
    );
  });
});
