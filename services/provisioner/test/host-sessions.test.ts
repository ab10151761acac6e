/**
 * Host sessions end to end: operations on a host share its credentials (read once), a change of
 * the host's record makes the next operation read them again, and a failed attempt discards them.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";
import { deployApp } from "./support/lifecycle.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

const API_SECRET = `proxmox/hosts/${HOST_ID}/api`;
const SSH_SECRET = `proxmox/hosts/${HOST_ID}/ssh`;
/** The operations that read the host's API credential, in order. */
const apiReads = () => h.peers.secretCalls.filter((c) => c.method === "get" && c.name === API_SECRET);
const sshReads = () => h.peers.secretCalls.filter((c) => c.method === "get" && c.name === SSH_SECRET);

/** The host as updated through the hosts service: its record's updated_at moves. */
async function updateHost() {
  const registered = h.peers.hosts.get(HOST_ID)!;
  const updatedAt = new Date((registered.host.updatedAt?.getTime() ?? 0) + 1_000);
  await h.changeHost(HOST_ID, { ...registered, host: { ...registered.host, updatedAt } });
}

describe("host sessions", () => {
  it("host sessions - operations share the host's credentials until its record changes or an attempt fails", async () => {
    const readsBefore = apiReads().length;
    const first = await deployApp(h);
    await deployApp(h);
    await deployApp(h);
    // Read once, by the operation that opened the session (the audit names it).
    expect(
      apiReads()
        .slice(readsBefore)
        .map((c) => c.operationId),
    ).toEqual([first.request.operationId]);
    expect(
      sshReads()
        .slice(readsBefore)
        .map((c) => c.operationId),
    ).toEqual([first.request.operationId]);

    // Credentials rotated (a wrong token stands for the new one Proxmox does not know yet): the
    // host's record changed, so the next operation reads them again, and is refused with them.
    const token = h.peers.secrets.get(API_SECRET)!;
    h.peers.secrets.set(API_SECRET, Buffer.from("not-the-token"));
    await updateHost();
    const refused = h.deployRequest();
    await h.publish(refused);
    const outcome = await h.outcome(refused.operationId, 30_000);
    expect(outcome.type).toBe("failed");
    expect(String(outcome.payload.reason)).toContain("rejected Proximity's credentials");
    // Credentials read for this very attempt: the refusal is final at once.
    expect(outcome.payload.attempts).toBe(1);
    expect(apiReads().length).toBe(readsBefore + 2);

    // The right token back, the record unchanged this time: the failed attempt discarded the
    // session, so the next operation reads the credentials again and succeeds.
    h.peers.secrets.set(API_SECRET, token);
    const next = await deployApp(h);
    expect(apiReads().length).toBe(readsBefore + 3);
    expect(apiReads().at(-1)?.operationId).toBe(next.request.operationId);
  });

  it("host sessions - a refusal of credentials read for an earlier operation is retried with the credentials read again", async () => {
    await deployApp(h); // the session is open
    const readsBefore = apiReads().length;
    // Proxmox refuses the shared session's token once (rotated behind the record's back: the
    // hosts service's write failed after the secret was stored, say).
    const fault = h.sim.addFault({
      match: { method: "GET", path: "^/cluster/nextid$" },
      effect: { kind: "http-error", status: 401, message: "authentication failure" },
      times: 1,
    });
    try {
      const request = h.deployRequest();
      await h.publish(request);
      const outcome = await h.outcome(request.operationId, 30_000);
      expect(outcome.type, String(outcome.payload.reason ?? "")).toBe("succeeded");
      // The first attempt was refused with the shared credentials; the second read them again.
      expect(await h.attemptsOf(request.operationId)).toBe(2);
      expect(
        apiReads()
          .slice(readsBefore)
          .map((c) => c.operationId),
      ).toEqual([request.operationId]);
    } finally {
      h.sim.removeFault(fault);
    }
  });
});
