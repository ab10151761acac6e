/**
 * Changing where a host is reached or how it is verified needs its credentials again (issue 9,
 * review #4); plain HTTP only in development mode and never with a pin; every change audited.
 */
import { randomBytes } from "node:crypto";
import { ValidationError } from "@proximity/errors";
import { hostsV1 } from "@proximity/proto";
import { selfSignedCert } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listHostAudit } from "../src/db/host-audit.repository.js";
import {
  ADMIN,
  dumpSchema,
  type HostsClient,
  hostRequest,
  type Stack,
  sshFingerprint,
  startStack,
} from "./fixture.js";

let stack: Stack;
let gateway: HostsClient;
/** A hosts replica started with PROXIMITY_MODE=development on the same database. */
let development: HostsClient;

beforeAll(async () => {
  stack = await startStack();
  gateway = stack.hostsAs("api-gateway");
  const dev = await stack.startHosts({ PROXIMITY_MODE: "development" });
  development = stack.hostsAs("api-gateway", dev.address);
  return () => dev.service.stop();
});

afterAll(async () => {
  await stack?.stop();
});

const update = (over: Parameters<typeof hostsV1.UpdateHostRequest.fromPartial>[0] & { id: string }) =>
  hostsV1.UpdateHostRequest.fromPartial(over);

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => expect.fail("expected a refusal"),
    (e: unknown) => e,
  );

/** Everything the hosts service and the secrets service hold about `hostId`. */
async function stateOf(hostId: string) {
  const host = (await gateway.getHost({ id: hostId }, ADMIN)).host;
  const secrets = await sql<{ name: string; version: number }>`
    select name, max(version) as version from secrets.secret_versions
    where name like ${`proxmox/hosts/${hostId}/%`} group by name order by name`.execute(stack.db);
  return { host, secrets: secrets.rows, audit: (await listHostAudit(stack.db, hostId)).length };
}

describe("hosts - a change of trust needs the credentials again", () => {
  it("API trust (address, port, tls_fingerprint, tls_ca_pem) without the API secret - 400 naming it, nothing changes", async () => {
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const id = host!.id;
    const before = await stateOf(id);
    const ca = selfSignedCert();
    const changes: [Omit<Parameters<typeof update>[0], "id">, string][] = [
      [{ address: "evil.example" }, "address"],
      [{ port: 8443 }, "port"],
      [{ tlsFingerprint: ca.fingerprint256 }, "tls_fingerprint"],
      [{ tlsCaPem: ca.cert }, "tls_ca_pem"],
      // SSH credentials are not the API's.
      [
        { address: "evil.example", credentials: { apiSecret: "", sshPassword: "pw", sshPrivateKey: "" } },
        "address",
      ],
    ];
    for (const [change, field] of changes) {
      const err = (await refusal(gateway.updateHost(update({ id, ...change }), ADMIN))) as ValidationError;
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.message).toBe(
        "Changing where the host is reached or how it is verified requires its credentials in the same request",
      );
      expect(err.fieldErrors).toEqual([
        { field: "api_secret", message: `must be given again to change ${field}` },
      ]);
    }
    expect(await stateOf(id)).toEqual(before);
  });

  it("SSH trust (ssh_host, ssh_port, host key, a new node) without SSH credentials - 400 naming them, nothing changes", async () => {
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const id = host!.id;
    const node = hostRequest().nodes[0]!;
    const pinned = { ...node, sshHostKeyFingerprint: host!.nodes[0]!.sshHostKeyFingerprint };
    const before = await stateOf(id);
    const changes: [hostsV1.NodeEndpoint[], string][] = [
      [[{ ...pinned, sshHost: "evil.example" }], "nodes[0].ssh_host"],
      [[{ ...pinned, sshPort: 2022 }], "nodes[0].ssh_port"],
      [[{ ...pinned, sshHostKeyFingerprint: sshFingerprint() }], "nodes[0].ssh_host_key_fingerprint"],
      [[pinned, { ...pinned, name: "pve2" }], "nodes[1] (a new node)"],
    ];
    for (const [nodes, field] of changes) {
      // The API secret is not the SSH credentials.
      const req = update({ id, nodes, credentials: { apiSecret: "api-again" } });
      const err = (await refusal(gateway.updateHost(req, ADMIN))) as ValidationError;
      expect(err).toBeInstanceOf(ValidationError);
      expect(err.fieldErrors).toEqual([
        {
          field: "ssh_password",
          message: `ssh_password or ssh_private_key must be given again to change ${field}`,
        },
      ]);
    }
    expect(await stateOf(id)).toEqual(before);
  });

  it("with the matching credentials - changed, secrets replaced, and audited before/after with actor, time and trace (no credential)", async () => {
    const req = hostRequest();
    const { host } = await gateway.createHost(req, ADMIN);
    const id = host!.id;
    const apiSecret = `api-${randomBytes(8).toString("hex")}`;
    const sshPassword = `pw-${randomBytes(8).toString("hex")}`;
    const key = sshFingerprint();
    const traceId = randomBytes(16).toString("hex");
    const started = new Date();
    const { host: changed } = await gateway.updateHost(
      update({
        id,
        address: "10.9.9.9",
        nodes: [{ ...req.nodes[0]!, sshHost: "10.9.9.10", sshHostKeyFingerprint: key }],
        credentials: { apiSecret, sshPassword },
      }),
      { ...ADMIN, traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` },
    );
    expect(changed).toMatchObject({ address: "10.9.9.9" });
    expect(changed!.nodes[0]).toMatchObject({ sshHost: "10.9.9.10", sshHostKeyFingerprint: key });
    const provisioner = stack.secretsAs("provisioner");
    expect((await provisioner.getSecret({ name: `proxmox/hosts/${id}/api` })).value.toString()).toBe(
      apiSecret,
    );

    const [created, updated] = await listHostAudit(stack.db, id);
    expect(created).toMatchObject({ action: "created", actor: ADMIN.user.id, before: null });
    expect(updated).toMatchObject({
      action: "updated",
      host_name: req.name,
      actor: ADMIN.user.id,
      trace_id: traceId,
      credentials_replaced: ["api_secret", "ssh"],
      before: {
        address: "127.0.0.1",
        nodes: {
          pve1: { ssh_host: "127.0.0.1", ssh_host_key_fingerprint: req.nodes[0]!.sshHostKeyFingerprint },
        },
      },
      after: {
        address: "10.9.9.9",
        nodes: { pve1: { ssh_host: "10.9.9.10", ssh_host_key_fingerprint: key } },
      },
    });
    expect(Object.keys(updated!.after as object).sort()).toEqual(["address", "nodes"]);
    expect(updated!.at.getTime()).toBeGreaterThanOrEqual(started.getTime() - 1_000);
    const audit = await dumpSchema(stack.db, "hosts");
    for (const secret of [apiSecret, sshPassword, req.credentials!.apiSecret, req.credentials!.sshPassword])
      expect(audit).not.toContain(secret);
  });

  it("settings that redirect nothing (backup storage, users) need no credentials, and are audited; an empty update is not", async () => {
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const id = host!.id;
    await gateway.updateHost(update({ id }), ADMIN);
    const { host: changed } = await gateway.updateHost(
      update({ id, backupStorage: "pbs", sshUsername: "admin" }),
      ADMIN,
    );
    expect(changed).toMatchObject({ backupStorage: "pbs", sshUsername: "admin" });
    const trail = await listHostAudit(stack.db, id);
    expect(trail.map((e) => e.action)).toEqual(["created", "updated"]);
    expect(trail[1]).toMatchObject({
      before: { backup_storage: "local", ssh_username: "root" },
      after: { backup_storage: "pbs", ssh_username: "admin" },
      credentials_replaced: [],
    });
  });

  it("a deleted host keeps its audit trail, with its last settings and who deleted it", async () => {
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    await gateway.deleteHost({ id: host!.id }, { user: { id: "admin-2", isAdmin: true } });
    const trail = await listHostAudit(stack.db, host!.id);
    expect(trail.map((e) => [e.action, e.actor])).toEqual([
      ["created", ADMIN.user.id],
      ["deleted", "admin-2"],
    ]);
    expect(trail[1]).toMatchObject({ before: { address: "127.0.0.1" }, after: null });
  });
});

describe("hosts - plain HTTP", () => {
  it("insecure_http - refused in production (create and update), nothing stored", async () => {
    const created = (await refusal(
      gateway.createHost(hostRequest({ insecureHttp: true }), ADMIN),
    )) as ValidationError;
    expect(created).toBeInstanceOf(ValidationError);
    expect(created.fieldErrors).toEqual([
      {
        field: "insecure_http",
        message:
          "plain HTTP is only allowed when the platform runs in development mode (PROXIMITY_MODE=development)",
      },
    ]);
    const { host } = await gateway.createHost(hostRequest(), ADMIN);
    const before = await stateOf(host!.id);
    const req = update({ id: host!.id, insecureHttp: true, credentials: { apiSecret: "api-again" } });
    const updated = (await refusal(gateway.updateHost(req, ADMIN))) as ValidationError;
    expect(updated.fieldErrors.map((f) => f.field)).toEqual(["insecure_http"]);
    expect(await stateOf(host!.id)).toEqual(before);
  });

  it("insecure_http - in development mode accepted (a trust change: with the API secret), never with a pin or a CA", async () => {
    const ca = selfSignedCert();
    for (const trust of [{ tlsFingerprint: ca.fingerprint256 }, { tlsCaPem: ca.cert }]) {
      const err = (await refusal(
        development.createHost(hostRequest({ ...trust, insecureHttp: true }), ADMIN),
      )) as ValidationError;
      expect(err.fieldErrors).toEqual([
        { field: "insecure_http", message: "cannot be combined with tls_fingerprint or tls_ca_pem" },
      ]);
    }
    const { host } = await development.createHost(hostRequest({ tlsFingerprint: ca.fingerprint256 }), ADMIN);
    const id = host!.id;
    // Keeping the stored pin while turning plain HTTP on would show a pinned host reached in clear.
    const pinned = (await refusal(
      development.updateHost(update({ id, insecureHttp: true, credentials: { apiSecret: "a" } }), ADMIN),
    )) as ValidationError;
    expect(pinned.fieldErrors.map((f) => f.field)).toEqual(["insecure_http"]);
    const noSecret = (await refusal(
      development.updateHost(update({ id, insecureHttp: true }), ADMIN),
    )) as ValidationError;
    expect(noSecret.fieldErrors.map((f) => f.field)).toContain("insecure_http");
    const { host: plain } = await development.createHost(hostRequest({ insecureHttp: true }), ADMIN);
    expect(plain?.insecureHttp).toBe(true);
    const off = (await refusal(
      development.updateHost(update({ id: plain!.id, insecureHttp: false }), ADMIN),
    )) as ValidationError;
    expect(off.fieldErrors).toEqual([
      { field: "api_secret", message: "must be given again to change insecure_http" },
    ]);
    const { host: secured } = await development.updateHost(
      update({ id: plain!.id, insecureHttp: false, credentials: { apiSecret: "api-again" } }),
      ADMIN,
    );
    expect(secured?.insecureHttp).toBe(false);
  });
});
