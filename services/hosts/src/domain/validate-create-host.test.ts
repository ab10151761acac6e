import { ValidationError } from "@proximity/errors";
import { hostsV1 } from "@proximity/proto";
import { selfSignedCert } from "@proximity/testing";
import { describe, expect, it } from "vitest";
import { validateCreateHost as validate } from "./validate-create-host.js";
import type { HostPolicy } from "./validate-host-settings.js";

const PRODUCTION: HostPolicy = { allowInsecureHttp: false };
const DEVELOPMENT: HostPolicy = { allowInsecureHttp: true };
const validateCreateHost = (req: hostsV1.CreateHostRequest, policy = PRODUCTION) => validate(req, policy);

const FP = `SHA256:${Buffer.alloc(32, 7).toString("base64").replace(/=+$/, "")}`;
const TLS = Array.from({ length: 32 }, () => "ab").join(":");

const request = (over: Partial<hostsV1.CreateHostRequest> = {}): hostsV1.CreateHostRequest =>
  hostsV1.CreateHostRequest.fromPartial({
    name: "pve-lab",
    address: "10.0.0.5",
    authMode: hostsV1.AuthMode.AUTH_MODE_API_TOKEN,
    username: "root@pam!proximity",
    nodes: [
      { name: "pve1", sshHost: "10.0.0.5", sshPort: 22, sshHostKeyFingerprint: FP, trustOnFirstUse: false },
    ],
    credentials: { apiSecret: "tok", sshPassword: "pw" },
    ...over,
  });

function fieldsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fieldErrors.map((f) => f.field);
  }
  throw new Error("expected a ValidationError");
}

describe("validateCreateHost", () => {
  it("validate host - applies defaults and normalises", () => {
    const host = validateCreateHost(request({ tlsFingerprint: TLS }));
    expect(host).toMatchObject({
      port: 8006,
      sshUsername: "root",
      authMode: "api_token",
      tlsFingerprint: TLS.toUpperCase(),
    });
    expect(host.credentials).toEqual({ apiSecret: "tok", ssh: { password: "pw" } });
    expect(
      validateCreateHost(
        request({
          nodes: [
            { name: "n", sshHost: "h.lan", sshPort: 0, sshHostKeyFingerprint: FP, trustOnFirstUse: false },
          ],
        }),
      ).nodes[0]?.sshPort,
    ).toBe(22);
  });

  it("validate host - accepts host names, IPv4 and IPv6 addresses", () => {
    for (const address of ["pve.example.com", "192.168.1.2", "fe80::1", "localhost"])
      expect(validateCreateHost(request({ address })).address).toBe(address);
  });

  it("validate host - lists every bad field at once, by proto field name", () => {
    const fields = fieldsOf(() =>
      validateCreateHost(
        request({
          name: "Bad Name",
          address: "not an address!",
          port: 70000,
          tlsFingerprint: "AB:CD",
          sshUsername: "Root User",
          nodes: [
            {
              name: "-x",
              sshHost: "",
              sshPort: 99999,
              sshHostKeyFingerprint: "MD5:aa",
              trustOnFirstUse: false,
            },
          ],
          credentials: { apiSecret: "", sshPassword: "", sshPrivateKey: "" },
        }),
      ),
    );
    expect(fields).toEqual([
      "name",
      "address",
      "port",
      "tls_fingerprint",
      "ssh_username",
      "nodes[0].name",
      "nodes[0].ssh_host",
      "nodes[0].ssh_port",
      "nodes[0].ssh_host_key_fingerprint",
      "credentials.api_secret",
      "credentials",
    ]);
  });

  it("validate host - the username must match the auth mode", () => {
    expect(fieldsOf(() => validateCreateHost(request({ username: "root@pam" })))).toEqual(["username"]);
    const password = { authMode: hostsV1.AuthMode.AUTH_MODE_PASSWORD };
    expect(validateCreateHost(request({ ...password, username: "root@pam" })).authMode).toBe("password");
    expect(fieldsOf(() => validateCreateHost(request({ ...password, username: "root@pam!tok" })))).toEqual([
      "username",
    ]);
    expect(
      fieldsOf(() => validateCreateHost(request({ authMode: hostsV1.AuthMode.AUTH_MODE_UNSPECIFIED }))),
    ).toEqual(["auth_mode"]);
  });

  it("validate host - needs at least one node, with unique names", () => {
    expect(fieldsOf(() => validateCreateHost(request({ nodes: [] })))).toEqual(["nodes"]);
    const node = {
      name: "pve1",
      sshHost: "h",
      sshPort: 22,
      sshHostKeyFingerprint: FP,
      trustOnFirstUse: false,
    };
    expect(fieldsOf(() => validateCreateHost(request({ nodes: [node, node] })))).toEqual(["nodes"]);
  });

  it("validate host - error messages never echo submitted values", () => {
    let caught: unknown;
    try {
      validateCreateHost(
        request({ name: "SeCrEt!", credentials: { apiSecret: "", sshPassword: "", sshPrivateKey: "" } }),
      );
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect(JSON.stringify((caught as ValidationError).fieldErrors)).not.toContain("SeCrEt");
  });

  it("validate host - a TLS CA must be a PEM certificate, and excludes a fingerprint", () => {
    const ca = selfSignedCert();
    expect(validateCreateHost(request({ tlsCaPem: ca.cert }))).toMatchObject({
      tlsCaPem: ca.cert,
      tlsFingerprint: null,
    });
    expect(validateCreateHost(request()).tlsCaPem).toBeNull();
    // The key, or a certificate without its PEM armour, is not a CA.
    expect(fieldsOf(() => validateCreateHost(request({ tlsCaPem: ca.key })))).toEqual(["tls_ca_pem"]);
    const der = ca.cert.replace(/-----[A-Z ]+-----|\s/g, "");
    expect(fieldsOf(() => validateCreateHost(request({ tlsCaPem: der })))).toEqual(["tls_ca_pem"]);
    expect(fieldsOf(() => validateCreateHost(request({ tlsCaPem: ca.cert, tlsFingerprint: TLS })))).toEqual([
      "tls_ca_pem",
    ]);
  });

  it("validate host - an empty SSH host key only with trust on first use, which a key makes moot", () => {
    const node = { name: "pve1", sshHost: "h", sshPort: 22, sshHostKeyFingerprint: "" };
    expect(
      fieldsOf(() => validateCreateHost(request({ nodes: [{ ...node, trustOnFirstUse: false }] }))),
    ).toEqual(["nodes[0].ssh_host_key_fingerprint"]);
    expect(
      validateCreateHost(request({ nodes: [{ ...node, trustOnFirstUse: true }] })).nodes[0],
    ).toMatchObject({
      sshHostKeyFingerprint: "",
      trustOnFirstUse: true,
    });
    expect(
      validateCreateHost(request({ nodes: [{ ...node, sshHostKeyFingerprint: FP, trustOnFirstUse: true }] }))
        .nodes[0]?.trustOnFirstUse,
    ).toBe(false);
  });

  it("validate host - backup_storage defaults to local and must be a PVE storage id", () => {
    expect(validateCreateHost(request()).backupStorage).toBe("local");
    for (const backupStorage of ["pbs-main", "nfs_backups", "b.2", "s"])
      expect(validateCreateHost(request({ backupStorage })).backupStorage).toBe(backupStorage);
    for (const backupStorage of ["Local", "1st", "-x", "has space", "a/b", "x".repeat(65), "local;rm"])
      expect(fieldsOf(() => validateCreateHost(request({ backupStorage })))).toEqual(["backup_storage"]);
    expect(validateCreateHost(request({ backupStorage: "x".repeat(64) })).backupStorage).toHaveLength(64);
  });

  it("validate host - insecure_http only in development mode, and never with a pin or a CA", () => {
    const insecure = request({ insecureHttp: true });
    expect(fieldsOf(() => validateCreateHost(insecure))).toEqual(["insecure_http"]);
    expect(validateCreateHost(insecure, DEVELOPMENT).insecureHttp).toBe(true);
    const ca = selfSignedCert();
    for (const trust of [{ tlsFingerprint: TLS }, { tlsCaPem: ca.cert }])
      expect(
        fieldsOf(() => validateCreateHost(request({ ...trust, insecureHttp: true }), DEVELOPMENT)),
      ).toEqual(["insecure_http"]);
  });

  it("validate host - says each rule in plain words, the gateway's words for the rules it checks too", () => {
    let caught: unknown;
    try {
      validateCreateHost(
        request({
          name: "Lab Host",
          authMode: hostsV1.AuthMode.AUTH_MODE_UNSPECIFIED,
          tlsFingerprint: "AB:CD",
          sshUsername: "Root User",
          backupStorage: "Local",
          nodes: [
            {
              name: "-pve1",
              sshHost: "h",
              sshPort: 22,
              sshHostKeyFingerprint: "MD5:aa",
              trustOnFirstUse: false,
            },
          ],
        }),
      );
    } catch (err) {
      caught = err;
    }
    expect((caught as ValidationError).fieldErrors).toEqual([
      {
        field: "name",
        message:
          "must be 1 to 63 characters: lower-case letters, digits, '-', '_' or '.', starting with a letter or digit",
      },
      { field: "auth_mode", message: "must be one of: api_token, password" },
      {
        field: "tls_fingerprint",
        message:
          "must be the certificate's SHA-256 fingerprint: 32 pairs of hexadecimal digits separated by colons (AB:CD:…)",
      },
      {
        field: "ssh_username",
        message:
          "must be a Linux user name: a lower-case letter or '_', then up to 31 lower-case letters, digits, '_' or '-'",
      },
      {
        field: "backup_storage",
        message:
          "must be a Proxmox storage ID such as local: a lower-case letter, then lower-case letters, digits, '-', '_' or '.', at most 64 characters",
      },
      {
        field: "nodes[0].name",
        message: "must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen",
      },
      {
        field: "nodes[0].ssh_host_key_fingerprint",
        message:
          "must be the SSH host key's fingerprint as OpenSSH prints it (SHA256: then 43 letters, digits, '+' or '/'), or empty together with trust_on_first_use",
      },
    ]);
  });
});
