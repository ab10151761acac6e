import { describe, expect, it } from "vitest";
import type { Host } from "../../../api/types";
import { hostKeyLabel, hostStatusOf, tlsModeLabel } from "./host-labels";

const base = { tls_fingerprint: null, tls_ca_fingerprint: null, insecure_http: false } as Host;

describe("host labels", () => {
  it("says in words whether a host answers", () => {
    expect(hostStatusOf("unreachable")).toEqual({ label: "Unreachable", tone: "bad" });
    expect(hostStatusOf("unknown").label).toBe("Not checked yet");
    expect(hostStatusOf("reachable").tone).toBe("ok");
  });

  it("names the TLS verification a host uses", () => {
    expect(tlsModeLabel({ ...base, tls_fingerprint: "AA:BB" })).toBe("Pinned certificate");
    expect(tlsModeLabel({ ...base, tls_ca_fingerprint: "CC:DD" })).toBe("Own CA certificate");
    expect(tlsModeLabel({ ...base, insecure_http: true })).toBe("Plain HTTP, not encrypted");
    expect(tlsModeLabel(base)).toBe("Public CA (system trust store)");
  });

  it("tells a pinned SSH host key from one awaiting first use", () => {
    const node = { ssh_host_key_fingerprint: "", trust_on_first_use: true } as Host["nodes"][number];
    expect(hostKeyLabel(node)).toMatch(/next check pins/);
    expect(hostKeyLabel({ ...node, ssh_host_key_fingerprint: "SHA256:abc" })).toBe("SHA256:abc");
  });
});
