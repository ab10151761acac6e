import { X509Certificate } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  generateServiceKeys,
  loadServiceKeys,
  natsKeyPairFromSeed,
  serviceOfCertificate,
  signAsSelf,
  verifySignedBy,
  writeServiceBundles,
} from "../src/index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("generated identities", () => {
  it("issue each service a CA-signed certificate naming it, and keys only it can sign with", async () => {
    const keys = await generateServiceKeys(["applications", "provisioner"]);
    const app = keys.get("applications")!;
    const prov = keys.get("provisioner")!;
    const cert = new X509Certificate(app.tls.certPem);
    expect(cert.verify(new X509Certificate(app.tls.caPem).publicKey)).toBe(true);
    expect(serviceOfCertificate(cert)).toBe("applications");
    expect(serviceOfCertificate(prov.tls.certPem)).toBe("provisioner");
    const data = Buffer.from("event bytes");
    const sig = signAsSelf(app, data);
    expect(verifySignedBy(prov, "applications", data, sig)).toBe(true);
    expect(verifySignedBy(prov, "provisioner", data, sig)).toBe(false);
    expect(verifySignedBy(prov, "nobody", data, sig)).toBe(false);
    expect(verifySignedBy(prov, "applications", Buffer.from("other"), sig)).toBe(false);
  });

  it("refuses a certificate without exactly one platform identity", async () => {
    expect(serviceOfCertificate("not a certificate")).toBeNull();
  });
});

describe("service bundles", () => {
  it("give each service only its own private material, and load back", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundles-"));
    dirs.push(dir);
    await writeServiceBundles(dir, ["applications", "provisioner", "sre"]);
    const files = readdirSync(join(dir, "applications")).sort();
    expect(files).toEqual(
      [
        "applications.key",
        "applications.pub",
        "ca.crt",
        "nats.seed",
        "provisioner.pub",
        "sre.pub",
        "tls.crt",
        "tls.key",
      ].sort(),
    );
    expect(statSync(join(dir, "applications", "applications.key")).mode & 0o777).toBe(0o400);
    const keys = loadServiceKeys(join(dir, "applications"), "applications");
    expect([...keys.publicKeys.keys()].sort()).toEqual(["applications", "provisioner", "sre"]);
    const natsUsers = JSON.parse(readFileSync(join(dir, "public", "nats-users.json"), "utf8")) as Record<
      string,
      string
    >;
    expect(natsUsers.applications).toBe(
      natsKeyPairFromSeed(new TextEncoder().encode(keys.natsSeed)).getPublicKey(),
    );
    // Loading one service's bundle as another is a start-up error, not a silent identity swap.
    expect(() => loadServiceKeys(join(dir, "applications"), "provisioner")).toThrow(/cannot read/);
  });

  it("keep existing material when run again, adding only new services", async () => {
    const dir = mkdtempSync(join(tmpdir(), "bundles-"));
    dirs.push(dir);
    await writeServiceBundles(dir, ["applications"]);
    const before = readFileSync(join(dir, "applications", "tls.crt"), "utf8");
    await writeServiceBundles(dir, ["applications", "hosts"]);
    expect(readFileSync(join(dir, "applications", "tls.crt"), "utf8")).toBe(before);
    expect(readdirSync(join(dir, "applications"))).toContain("hosts.pub");
    const hosts = loadServiceKeys(join(dir, "hosts"), "hosts");
    expect(
      new X509Certificate(hosts.tls.certPem).verify(new X509Certificate(hosts.tls.caPem).publicKey),
    ).toBe(true);
  });
});
