import { X509Certificate } from "node:crypto";
import { caSignedCert } from "@proximity/testing";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, type Harness, startHarness } from "./support/gateway-harness.js";
import { login, request, type Session } from "./support/http-client.js";

let h: Harness;
let admin: Session;

const SECRETS = {
  api_secret: "11111111-2222-3333-4444-555555555555",
  ssh_password: "ssh-password-do-not-leak",
  ssh_private_key: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAAdonotleak\n-----END OPENSSH PRIVATE KEY-----",
};

const hostBody = {
  name: "lab",
  address: "10.0.0.2",
  auth_mode: "api_token",
  username: "root@pam!proximity",
  ...SECRETS,
  nodes: [{ name: "pve1", ssh_host: "10.0.0.2", ssh_host_key_fingerprint: `SHA256:${"B".repeat(43)}` }],
};

function expectNoCredentials(body: unknown): void {
  const text = JSON.stringify(body);
  for (const [field, value] of Object.entries(SECRETS)) {
    expect(text).not.toContain(field);
    expect(text).not.toContain(value);
  }
}

beforeAll(async () => {
  h = await startHarness();
  admin = await login(h.url, "admin", ADMIN_PASSWORD);
});
beforeEach(() => h.fakes.reset());
afterAll(async () => {
  await h?.stop();
});

describe("hosts - credentials are write-only", () => {
  it("hosts - POST passes the credentials to the hosts service once and answers 201 without them", async () => {
    const res = await request(h.url, "POST", "/api/proxmox/hosts", { auth: admin, body: hostBody });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: "lab", auth_mode: "api_token" });
    expectNoCredentials(res.body);
    const [call] = h.fakes.callsTo("createHost");
    expect(call?.request).toMatchObject({
      port: 8006,
      credentials: {
        apiSecret: SECRETS.api_secret,
        sshPassword: SECRETS.ssh_password,
        sshPrivateKey: SECRETS.ssh_private_key,
      },
      nodes: [{ name: "pve1", sshPort: 22 }],
    });
  });

  it("hosts - GET one and the list never carry credentials", async () => {
    const { id } = h.fakes.hosts.seed();
    const one = await request(h.url, "GET", `/api/proxmox/hosts/${id}`, { auth: admin });
    expect(one.status).toBe(200);
    expectNoCredentials(one.body);
    const list = await request(h.url, "GET", "/api/proxmox/hosts", { auth: admin });
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(1);
    expectNoCredentials(list.body);
  });

  it("hosts - invalid bodies are 400, name the fields, echo no secret and forward nothing", async () => {
    const res = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: {
        ...hostBody,
        auth_mode: "kerberos",
        nodes: [{ name: "bad name", ssh_host: "x", ssh_host_key_fingerprint: "md5" }],
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(["auth_mode", "nodes.0.name", "nodes.0.ssh_host_key_fingerprint"]),
    );
    expectNoCredentials({
      detail: res.body.detail,
      messages: res.body.errors.map((e: { message: string }) => e.message),
    });
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("hosts - DELETE answers 204 and a host in use comes back as 409", async () => {
    const { id } = h.fakes.hosts.seed();
    expect((await request(h.url, "DELETE", `/api/proxmox/hosts/${id}`, { auth: admin })).status).toBe(204);
    h.fakes.fail("deleteHost", "CONFLICT", "Host still has apps");
    const busy = await request(h.url, "DELETE", `/api/proxmox/hosts/${id}`, { auth: admin });
    expect(busy.status).toBe(409);
    expect(busy.body).toEqual({ detail: "Host still has apps" });
  });

  it("hosts - nodes are listed for a host", async () => {
    const hostId = crypto.randomUUID();
    const res = await request(h.url, "GET", `/api/proxmox/nodes?host_id=${hostId}`, { auth: admin });
    expect(res.status).toBe(200);
    expect(res.body.items[0]).toMatchObject({ name: "pve1", ssh_port: 22 });
    expect(h.fakes.callsTo("listNodes")[0]?.request).toEqual({ hostId });
  });

  it("hosts - PUT passes new credentials on once, answers 200 without them; name cannot change", async () => {
    const { id } = h.fakes.hosts.seed();
    const res = await request(h.url, "PUT", `/api/proxmox/hosts/${id}`, {
      auth: admin,
      body: { address: "10.0.0.3", insecure_http: false, api_secret: SECRETS.api_secret },
    });
    expect(res.status).toBe(200);
    expect(res.body.id).toBe(id);
    expectNoCredentials(res.body);
    expect(h.fakes.callsTo("updateHost")[0]?.request).toEqual({
      id,
      address: "10.0.0.3",
      port: 0,
      username: "",
      tlsFingerprint: "",
      tlsCaPem: "",
      insecureHttp: false,
      sshUsername: "",
      nodes: [],
      backupStorage: "",
      credentials: { apiSecret: SECRETS.api_secret, sshPassword: "", sshPrivateKey: "" },
    });
    h.fakes.reset();
    const renamed = await request(h.url, "PUT", `/api/proxmox/hosts/${id}`, {
      auth: admin,
      body: { name: "other", ssh_password: SECRETS.ssh_password },
    });
    expect(renamed.status).toBe(400);
    expectNoCredentials({ detail: renamed.body.detail, errors: renamed.body.errors });
    expect(h.fakes.calls).toHaveLength(0);
  });

  it("hosts - PUT without credentials forwards none (the stored ones stay)", async () => {
    const { id } = h.fakes.hosts.seed();
    expect(
      (await request(h.url, "PUT", `/api/proxmox/hosts/${id}`, { auth: admin, body: { port: 8443 } })).status,
    ).toBe(200);
    const call = h.fakes.callsTo("updateHost")[0]?.request as {
      credentials?: unknown;
      insecureHttp?: unknown;
    };
    expect(call.credentials).toBeUndefined();
    expect(call.insecureHttp).toBeUndefined();
  });

  it("hosts - test and sync-nodes ask for a check and answer 202 with its id", async () => {
    const { id } = h.fakes.hosts.seed();
    for (const action of ["test", "sync-nodes"]) {
      const res = await request(h.url, "POST", `/api/proxmox/hosts/${id}/${action}`, { auth: admin });
      expect({ action, status: res.status, body: res.body }).toEqual({
        action,
        status: 202,
        body: { check_id: "7d0b7c3e-0000-4000-8000-000000000001" },
      });
    }
    expect(h.fakes.callsTo("checkHost").map((c) => c.request)).toEqual([{ id }, { id }]);
    const missing = await request(h.url, "POST", `/api/proxmox/hosts/${crypto.randomUUID()}/test`, {
      auth: admin,
    });
    expect(missing).toMatchObject({ status: 404, body: { detail: "Host not found" } });
  });

  it("hosts - GET shows the last check result, before any check and after a good and a failed one", async () => {
    const { id } = h.fakes.hosts.seed();
    const path = `/api/proxmox/hosts/${id}`;
    const before = await request(h.url, "GET", path, { auth: admin });
    expect(before.body).toMatchObject({ last_checked_at: null, last_check_error: null, pve_version: null });

    expect((await request(h.url, "POST", `${path}/test`, { auth: admin })).status).toBe(202);
    const good = await request(h.url, "GET", path, { auth: admin });
    expect(good.body).toMatchObject({ status: "online", last_check_error: null, pve_version: "9.1.3" });
    expect(Date.parse(good.body.last_checked_at)).toBe(h.fakes.hosts.get(id)?.lastCheckedAt?.getTime());

    h.fakes.hosts.nextCheck({ error: "TLS fingerprint mismatch" });
    expect((await request(h.url, "POST", `${path}/sync-nodes`, { auth: admin })).status).toBe(202);
    const failed = await request(h.url, "GET", path, { auth: admin });
    expect(failed.body).toMatchObject({
      status: "offline",
      last_check_error: "TLS fingerprint mismatch",
      pve_version: null,
    });
    expect(failed.body.last_checked_at).toEqual(expect.any(String));
  });

  it("hosts - a TLS CA and trust-on-first-use nodes are forwarded; GET shows the CA's fingerprint only", async () => {
    const { ca } = caSignedCert();
    const caFingerprint = new X509Certificate(ca).fingerprint256;
    const res = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: {
        ...hostBody,
        tls_ca_pem: ca,
        nodes: [{ name: "pve1", ssh_host: "10.0.0.2", trust_on_first_use: true }],
      },
    });
    expect(res.status).toBe(201);
    expect(h.fakes.callsTo("createHost")[0]?.request).toMatchObject({
      tlsCaPem: ca,
      nodes: [{ name: "pve1", sshHostKeyFingerprint: "", trustOnFirstUse: true }],
    });
    expect(JSON.stringify(res.body)).not.toContain("BEGIN CERTIFICATE");
    expect(res.body).toMatchObject({ tls_ca_fingerprint: caFingerprint });
    expect(res.body.nodes[0]).toMatchObject({ ssh_host_key_fingerprint: "", trust_on_first_use: true });
    const got = await request(h.url, "GET", `/api/proxmox/hosts/${res.body.id}`, { auth: admin });
    expect(got.body).toMatchObject({ tls_ca_fingerprint: caFingerprint });
    expect(JSON.stringify(got.body)).not.toContain("BEGIN CERTIFICATE");

    const { ca: otherCa } = caSignedCert();
    const { id } = h.fakes.hosts.seed();
    const put = await request(h.url, "PUT", `/api/proxmox/hosts/${id}`, {
      auth: admin,
      body: { tls_ca_pem: otherCa },
    });
    expect(put.status).toBe(200);
    expect(h.fakes.callsTo("updateHost")[0]?.request).toMatchObject({ tlsCaPem: otherCa });
    expect(put.body.tls_ca_fingerprint).toBe(new X509Certificate(otherCa).fingerprint256);
    expect(JSON.stringify(put.body)).not.toContain("BEGIN CERTIFICATE");
  });
  it("hosts - backup_storage is a PVE storage id: forwarded on POST and PUT, shown on the host", async () => {
    const created = await request(h.url, "POST", "/api/proxmox/hosts", {
      auth: admin,
      body: { ...hostBody, backup_storage: "pbs-main" },
    });
    expect(created.status).toBe(201);
    expect(h.fakes.callsTo("createHost")[0]?.request).toMatchObject({ backupStorage: "pbs-main" });
    expect(created.body.backup_storage).toBe("pbs-main");

    const defaulted = await request(h.url, "POST", "/api/proxmox/hosts", { auth: admin, body: hostBody });
    expect(h.fakes.callsTo("createHost")[1]?.request).toMatchObject({ backupStorage: "" });
    expect(defaulted.body.backup_storage).toBe("local");

    const put = await request(h.url, "PUT", `/api/proxmox/hosts/${created.body.id}`, {
      auth: admin,
      body: { backup_storage: "nfs_backups.2" },
    });
    expect(put.status).toBe(200);
    expect(h.fakes.callsTo("updateHost")[0]?.request).toMatchObject({ backupStorage: "nfs_backups.2" });
    expect(put.body.backup_storage).toBe("nfs_backups.2");
    const got = await request(h.url, "GET", `/api/proxmox/hosts/${created.body.id}`, { auth: admin });
    expect(got.body.backup_storage).toBe("nfs_backups.2");

    h.fakes.reset();
    const storageMessage =
      "must be a Proxmox storage ID such as local: a lower-case letter, then lower-case letters, digits, '-', '_' or '.', at most 64 characters";
    for (const bad of ["Local", "1st", "-x", "has space", "a/b", "local;rm", ""]) {
      const res = await request(h.url, "POST", "/api/proxmox/hosts", {
        auth: admin,
        body: { ...hostBody, backup_storage: bad },
      });
      expect({ bad, status: res.status, errors: res.body.errors }).toEqual({
        bad,
        status: 400,
        errors: [{ field: "backup_storage", message: storageMessage }],
      });
    }
    const long = await request(h.url, "PUT", `/api/proxmox/hosts/${created.body.id}`, {
      auth: admin,
      body: { backup_storage: "s".repeat(65) },
    });
    expect(long.body.errors).toEqual([{ field: "backup_storage", message: storageMessage }]);
    expect(h.fakes.calls).toHaveLength(0);
  });
});
