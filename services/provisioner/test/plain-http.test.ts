/**
 * A host registered for plain HTTP (a row from before the hosts service refused it, or edited in
 * its database) is never reached outside development mode: no credential leaves the secrets
 * service for it, deploys fail for good with the reason, host checks report it, discovery refuses.
 */
import { ValidationError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECK_ERRORS } from "../src/app/check-host.js";
import { type Harness, HOST_ID, startHarness } from "./support/harness.js";
import { reportFor, requestCheck } from "./support/host-check-events.js";

let h: Harness;

beforeAll(async () => {
  // The harness registers the simulator with insecure_http, as such a row would say.
  h = await startHarness({ PROXIMITY_MODE: "production" });
});

afterAll(async () => {
  await h?.close();
});

/** Secrets read for the simulated host so far. */
const hostSecretReads = () =>
  h.peers.secretCalls.filter((c) => c.method === "get" && c.name.startsWith(`proxmox/hosts/${HOST_ID}/`));

describe("plain HTTP outside development mode", () => {
  it("plain http - a host check reports the refusal without reading the host's credentials", async () => {
    const report = await reportFor(h.bus, await requestCheck(h, HOST_ID));
    expect(report).toMatchObject({ reachable: false, error: CHECK_ERRORS.plainHttp, nodes: [] });
    expect(hostSecretReads()).toEqual([]);
  });

  it("plain http - a deploy fails for good with the reason, before any secret is read or the host touched", async () => {
    const request = h.deployRequest();
    const containersBefore = h.sim.containers().length;
    await h.publish(request);
    const outcome = await h.outcome(request.operationId);
    expect(outcome.type).toBe("failed");
    expect(outcome.payload.reason).toBe(
      "Host sim is registered for plain HTTP, which would send its credentials in clear; Proximity refuses it outside development mode (PROXIMITY_MODE=development): give the host a TLS fingerprint or CA",
    );
    expect(outcome.payload.attempts).toBe(1);
    expect(hostSecretReads()).toEqual([]);
    expect(h.sim.commandLog()).toEqual([]);
    expect(h.sim.containers()).toHaveLength(containersBefore);
  });

  it("plain http - discovery (ListHostContainers) is refused with the reason", async () => {
    const err = await h
      .clientAs("applications")
      .listHostContainers({ hostId: HOST_ID })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as Error).message).toMatch(/^Host sim is registered for plain HTTP/);
    expect(hostSecretReads()).toEqual([]);
  });
});
