/**
 * The database's own trust audit (migration 0006): every change of where a host is reached or how
 * it is trusted leaves a row, whoever made it. The service names its actor and trace; direct SQL
 * is recorded with no actor and its login role (review M2: a leaked hosts database role cannot
 * re-point a host without a trace).
 */
import { randomBytes } from "node:crypto";
import { hostsV1, provisionerEventsV1 } from "@proximity/proto";
import { eventually } from "@proximity/testing";
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { HOST_CHECK_ACTOR } from "../src/app/declare-change-actor.js";
import { listHostTrustAudit } from "../src/db/host-trust-audit.repository.js";
import {
  ADMIN,
  hostEvents,
  hostRequest,
  publishHostChecked,
  type Stack,
  sshFingerprint,
  startStack,
} from "./fixture.js";

let stack: Stack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.stop();
});

const traced = () => {
  const traceId = randomBytes(16).toString("hex");
  return { traceId, traceparent: `00-${traceId}-${randomBytes(8).toString("hex")}-01` };
};

describe("hosts - trust audit by the database", () => {
  it("trust audit - a direct SQL UPDATE of a host's address leaves a row: no actor, the login role, before and after", async () => {
    const { host } = await stack.hostsAs("api-gateway").createHost(hostRequest(), ADMIN);
    const id = host!.id;
    const before = await listHostTrustAudit(stack.db, id);
    await sql`update hosts.hosts set address = 'evil.example' where id = ${id}`.execute(stack.db);
    const after = await listHostTrustAudit(stack.db, id);
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      table_name: "hosts",
      operation: "UPDATE",
      host_id: id,
      actor: null,
      trace_id: null,
      db_user: "postgres",
      before: { address: "127.0.0.1" },
      after: { address: "evil.example" },
    });
  });

  it("trust audit - changes made through the service carry its actor and trace; other updates leave none", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const created = traced();
    const req = hostRequest();
    const { host } = await gateway.createHost(req, { ...ADMIN, traceparent: created.traceparent });
    const id = host!.id;
    expect(
      (await listHostTrustAudit(stack.db, id)).map((r) => [r.table_name, r.operation, r.actor, r.trace_id]),
    ).toEqual([
      ["hosts", "INSERT", ADMIN.user.id, created.traceId],
      ["nodes", "INSERT", ADMIN.user.id, created.traceId],
    ]);
    // Backup storage is no trust setting: nothing recorded.
    await gateway.updateHost(hostsV1.UpdateHostRequest.fromPartial({ id, backupStorage: "pbs" }), ADMIN);
    expect(await listHostTrustAudit(stack.db, id)).toHaveLength(2);
    const moved = traced();
    const key = sshFingerprint();
    await gateway.updateHost(
      hostsV1.UpdateHostRequest.fromPartial({
        id,
        address: "10.1.1.1",
        nodes: [{ ...req.nodes[0]!, sshHostKeyFingerprint: key }],
        credentials: { apiSecret: "api-again", sshPassword: "ssh-again" },
      }),
      { user: { id: "admin-2", isAdmin: true }, traceparent: moved.traceparent },
    );
    const trail = await listHostTrustAudit(stack.db, id);
    expect(trail.slice(2).map((r) => [r.table_name, r.operation, r.actor, r.trace_id])).toEqual([
      ["hosts", "UPDATE", "admin-2", moved.traceId],
      ["nodes", "UPDATE", "admin-2", moved.traceId],
    ]);
    // One change, one transaction.
    expect(trail[2]!.tx_id).toBe(trail[3]!.tx_id);
    expect(trail[3]).toMatchObject({
      node_name: "pve1",
      before: { ssh_host_key_fingerprint: req.nodes[0]!.sshHostKeyFingerprint },
      after: { ssh_host_key_fingerprint: key },
    });
    await gateway.deleteHost({ id }, ADMIN);
    expect(
      (await listHostTrustAudit(stack.db, id)).slice(4).map((r) => [r.table_name, r.operation, r.actor]),
    ).toEqual([
      ["hosts", "DELETE", ADMIN.user.id],
      ["nodes", "DELETE", ADMIN.user.id],
    ]);
  });

  it("trust audit - a key pinned on first use is attributed to the host check", async () => {
    const gateway = stack.hostsAs("api-gateway");
    const node = {
      name: "pve1",
      sshHost: "127.0.0.1",
      sshPort: 22,
      sshHostKeyFingerprint: "",
      trustOnFirstUse: true,
    };
    const { host } = await gateway.createHost(hostRequest({ nodes: [node] }), ADMIN);
    const key = sshFingerprint();
    await publishHostChecked(stack, {
      hostId: host!.id,
      reachable: true,
      pveVersion: "9.1.3",
      nodes: [
        provisionerEventsV1.NodeReport.fromPartial({
          name: "pve1",
          status: "online",
          sshHostKeyFingerprint: key,
        }),
      ],
    });
    const pinned = await eventually(async () =>
      (await listHostTrustAudit(stack.db, host!.id)).find((r) => r.operation === "UPDATE"),
    );
    expect(pinned).toMatchObject({
      table_name: "nodes",
      actor: HOST_CHECK_ACTOR,
      before: { ssh_host_key_fingerprint: "", trust_on_first_use: true },
      after: { ssh_host_key_fingerprint: key, trust_on_first_use: false },
    });
    // The node can be reached now: the provisioner's replicas read the host's record again.
    await eventually(async () =>
      (await hostEvents(stack.bus)).some((e) => e.type === "HostConnectionChanged" && e.hostId === host!.id),
    );
  });
});
