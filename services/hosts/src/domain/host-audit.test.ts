import { selfSignedCert } from "@proximity/testing";
import { describe, expect, it } from "vitest";
import { auditDiff, auditedHost, auditTraceId } from "./host-audit.js";
import type { HostSettings } from "./new-host.js";

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
    {
      name: "pve1",
      sshHost: "10.0.0.5",
      sshPort: 22,
      sshHostKeyFingerprint: "SHA256:x",
      trustOnFirstUse: false,
    },
  ],
};

describe("host audit", () => {
  it("auditedHost - every setting, a CA by its fingerprint only", () => {
    const ca = selfSignedCert();
    const view = auditedHost({ ...host, tlsCaPem: ca.cert });
    expect(view).toMatchObject({ address: "10.0.0.5", tls_ca_fingerprint: ca.fingerprint256 });
    expect(JSON.stringify(view)).not.toContain("BEGIN CERTIFICATE");
  });

  it("auditDiff - only what changed, nodes by name (added: null before; removed: null after)", () => {
    const after = auditedHost({
      ...host,
      address: "10.0.0.6",
      nodes: [{ ...host.nodes[0]!, name: "pve2" }],
    });
    expect(auditDiff(auditedHost(host), after)).toEqual({
      before: {
        address: "10.0.0.5",
        nodes: {
          pve1: {
            ssh_host: "10.0.0.5",
            ssh_port: 22,
            ssh_host_key_fingerprint: "SHA256:x",
            trust_on_first_use: false,
          },
          pve2: null,
        },
      },
      after: {
        address: "10.0.0.6",
        nodes: {
          pve1: null,
          pve2: {
            ssh_host: "10.0.0.5",
            ssh_port: 22,
            ssh_host_key_fingerprint: "SHA256:x",
            trust_on_first_use: false,
          },
        },
      },
    });
    expect(auditDiff(auditedHost(host), auditedHost(host))).toEqual({ before: {}, after: {} });
  });

  it("auditTraceId - the trace id of a traceparent, or empty", () => {
    expect(auditTraceId(`00-${"a".repeat(32)}-${"b".repeat(16)}-01`)).toBe("a".repeat(32));
    expect(auditTraceId("")).toBe("");
    expect(auditTraceId("00-<script>-x-01")).toBe("");
  });
});
