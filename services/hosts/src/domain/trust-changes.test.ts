import { describe, expect, it } from "vitest";
import type { HostSettings } from "./new-host.js";
import { missingCredentials, trustChanges } from "./trust-changes.js";

const FP = `SHA256:${"A".repeat(43)}`;
const host: HostSettings = {
  name: "pve",
  address: "10.0.0.5",
  port: 8006,
  authMode: "api_token",
  username: "root@pam!proximity",
  tlsFingerprint: null,
  tlsCaPem: null,
  insecureHttp: false,
  sshUsername: "root",
  backupStorage: "local",
  nodes: [
    { name: "pve1", sshHost: "10.0.0.5", sshPort: 22, sshHostKeyFingerprint: FP, trustOnFirstUse: false },
  ],
};
const node = host.nodes[0]!;

describe("trust changes", () => {
  it("trustChanges - names each changed API trust field", () => {
    expect(trustChanges(host, host)).toEqual({ api: [], ssh: [] });
    const changed = {
      ...host,
      address: "evil.example",
      port: 443,
      tlsFingerprint: "AB",
      tlsCaPem: "PEM",
      insecureHttp: true,
    };
    expect(trustChanges(host, changed).api).toEqual([
      "address",
      "port",
      "tls_fingerprint",
      "tls_ca_pem",
      "insecure_http",
    ]);
  });

  it("trustChanges - names each changed SSH target or key, and new nodes; settings that redirect nothing are not trust", () => {
    const after: HostSettings = {
      ...host,
      username: "other@pam!x",
      sshUsername: "admin",
      backupStorage: "pbs",
      nodes: [
        { ...node, sshHost: "evil", sshPort: 2222, sshHostKeyFingerprint: `SHA256:${"B".repeat(43)}` },
        { ...node, name: "pve2" },
      ],
    };
    expect(trustChanges(host, after)).toEqual({
      api: [],
      ssh: [
        "nodes[0].ssh_host",
        "nodes[0].ssh_port",
        "nodes[0].ssh_host_key_fingerprint",
        "nodes[1] (a new node)",
      ],
    });
    // Removing a node sends nothing anywhere new.
    expect(trustChanges({ ...host, nodes: [node, { ...node, name: "pve2" }] }, host)).toEqual({
      api: [],
      ssh: [],
    });
  });

  it("missingCredentials - each kind of change needs its own credentials", () => {
    const changes = { api: ["address"], ssh: ["nodes[0].ssh_host"] };
    expect(missingCredentials(changes, {})).toEqual([
      { field: "api_secret", message: "must be given again to change address" },
      {
        field: "ssh_password",
        message: "ssh_password or ssh_private_key must be given again to change nodes[0].ssh_host",
      },
    ]);
    expect(missingCredentials(changes, { ssh: { password: "pw" } }).map((f) => f.field)).toEqual([
      "api_secret",
    ]);
    expect(missingCredentials(changes, { apiSecret: "s" }).map((f) => f.field)).toEqual(["ssh_password"]);
    expect(missingCredentials(changes, { apiSecret: "s", ssh: { privateKey: "k" } })).toEqual([]);
    expect(missingCredentials({ api: [], ssh: [] }, {})).toEqual([]);
  });
});
