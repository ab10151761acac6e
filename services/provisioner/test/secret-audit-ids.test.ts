/**
 * Every secret the provisioner reads or writes for an operation names that operation, so the
 * secrets service's access audit ties each access to the deploy that caused it (issue 9).
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h?.close();
});

describe("secrets audit ids", () => {
  it("deploy - host credentials, the root password and secret settings are accessed with the operation id", async () => {
    const appId = `app-${randomUUID().slice(0, 8)}`;
    h.peers.secrets.set(`apps/${appId}/env/DB_PASSWORD`, Buffer.from("pw"));
    const request = h.deployRequest({ appId, hostname: appId, secretEnvironment: ["DB_PASSWORD"] });
    const from = h.peers.secretCalls.length;
    await h.publish(request);
    expect((await h.outcome(request.operationId)).type).toBe("succeeded");
    const calls = h.peers.secretCalls.slice(from);
    const ofApp = calls.filter((c) => c.name.startsWith(`apps/${appId}/`));
    // A first attempt generates the root password without reading it (nothing of this operation
    // exists yet); a redelivered attempt reads it back (deploy tests cover that path).
    expect(ofApp.map((c) => [c.method, c.name]).sort()).toEqual([
      ["get", `apps/${appId}/env/DB_PASSWORD`],
      ["put", `apps/${appId}/root-password`],
    ]);
    expect(ofApp.every((c) => c.operationId === request.operationId)).toBe(true);
    // Host credentials may also be read by observations (no operation); the deploy's reads say whose.
    for (const name of [`proxmox/hosts/${HOST_ID}/api`, `proxmox/hosts/${HOST_ID}/ssh`])
      expect(calls.some((c) => c.name === name && c.operationId === request.operationId)).toBe(true);
  });
});
