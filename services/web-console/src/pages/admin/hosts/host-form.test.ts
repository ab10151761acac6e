import { describe, expect, it } from "vitest";
import { ApiError } from "../../../api/errors";
import { makeHost } from "../../../test/fixtures";
import {
  emptyNode,
  formProblems,
  hostFieldError,
  hostFieldLabel,
  newHostValues,
  toCreateBody,
  toUpdateBody,
  valuesFromHost,
} from "./host-form";

describe("host form", () => {
  it("sends exactly one TLS verification on create", () => {
    const values = { ...newHostValues(), tlsFingerprint: "AA:BB", tlsCaPem: "-----BEGIN CERTIFICATE-----" };
    expect(toCreateBody({ ...values, tlsMode: "pin" })).toMatchObject({ tls_fingerprint: "AA:BB" });
    expect(toCreateBody({ ...values, tlsMode: "pin" })).not.toHaveProperty("tls_ca_pem");
    const ca = toCreateBody({ ...values, tlsMode: "ca" });
    expect(ca).toHaveProperty("tls_ca_pem");
    expect(ca).not.toHaveProperty("tls_fingerprint");
    expect(toCreateBody({ ...values, tlsMode: "insecure" })).toMatchObject({ insecure_http: true });
  });

  it("opens an existing host without any credential", () => {
    const values = valuesFromHost(makeHost());
    expect([values.apiSecret, values.sshPassword, values.sshPrivateKey, values.tlsCaPem]).toEqual([
      "",
      "",
      "",
      "",
    ]);
  });

  it("updates only what changed, and no credential left empty", () => {
    const host = makeHost();
    expect(toUpdateBody(valuesFromHost(host), host)).toEqual({});
    const moved = { ...valuesFromHost(host), address: "pve2.example.net", apiSecret: "s3cret" };
    expect(toUpdateBody(moved, host)).toEqual({ address: "pve2.example.net", api_secret: "s3cret" });
  });

  it("switches a pinned host to a CA by sending the CA alone", () => {
    const host = makeHost();
    const values = { ...valuesFromHost(host), tlsMode: "ca" as const, tlsCaPem: "PEM" };
    expect(toUpdateBody(values, host)).toEqual({ tls_ca_pem: "PEM" });
  });

  it("refuses a chosen pin or CA left blank", () => {
    const filled = {
      ...newHostValues(),
      name: "pve-lab",
      address: "pve.example.net",
      username: "root@pam!proximity",
      apiSecret: "secret",
      sshPassword: "ssh-secret",
      nodes: [{ ...emptyNode(), name: "pve1", sshHost: "10.0.0.2", trustOnFirstUse: true }],
    };
    expect(formProblems({ ...filled, tlsMode: "pin" })?.fieldMessage("tls_fingerprint")).toBeTruthy();
    expect(formProblems({ ...filled, tlsMode: "ca" })?.fieldMessage("tls_ca_pem")).toBeTruthy();
    expect(formProblems({ ...filled, tlsMode: "system" })).toBeNull();
    expect(
      formProblems({ ...filled, tlsMode: "pin", tlsFingerprint: "AB:CD" })?.fieldMessage("tls_fingerprint"),
    ).toMatch(/32 pairs of hex digits/);
    expect(
      formProblems({ ...filled, tlsMode: "system", username: "root@pam" })?.fieldMessage("username"),
    ).toMatch(/user@realm!tokenid/);
    expect(
      formProblems({
        ...filled,
        tlsMode: "system",
        nodes: [{ ...filled.nodes[0]!, trustOnFirstUse: false }],
      })?.fieldMessage("nodes.0.ssh_host_key_fingerprint"),
    ).toMatch(/or tick the box to trust/);
    // A stored CA is kept when the PEM is left empty.
    const caHost = makeHost({ tls_fingerprint: null, tls_ca_fingerprint: "CC:DD" });
    expect(formProblems({ ...valuesFromHost(caHost) }, caHost)).toBeNull();
  });

  it("finds a field's error under the names the gateway and the hosts service use", () => {
    const error = new ApiError(400, "Invalid host", [
      { field: "nodes[1].ssh_host", message: "must be a host name or an IP address" },
      { field: "credentials", message: "ssh_password or ssh_private_key is required" },
    ]);
    expect(hostFieldError(error, "nodes.1.ssh_host")).toBe("must be a host name or an IP address");
    expect(hostFieldError(error, "ssh_password")).toMatch(/is required/);
    expect(hostFieldError(error, "address")).toBeUndefined();
    expect(hostFieldLabel("nodes[1].ssh_host")).toBe("Node 2, SSH host");
    expect(hostFieldLabel("api_secret", "api_token")).toBe("API token secret");
    expect(hostFieldLabel("credentials.api_secret", "password")).toBe("Password");
    expect(hostFieldLabel("username", "password")).toBe("Proxmox user");
  });
});
