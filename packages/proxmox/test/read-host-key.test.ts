import { UnavailableError } from "@proximity/errors";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readHostKeyFingerprint } from "../src/index.js";
import { startSshServer, type TestSshServer } from "./support/ssh-server.js";

let server: TestSshServer;

beforeAll(async () => {
  server = await startSshServer();
});

afterAll(async () => {
  await server.close();
});

describe("readHostKeyFingerprint", () => {
  it("readHostKeyFingerprint - returns the key the node presents, and runs nothing there", async () => {
    const fingerprint = await readHostKeyFingerprint(
      { host: "127.0.0.1", port: server.port },
      { timeoutMs: 5_000 },
    );
    expect(fingerprint).toBe(server.fingerprint);
    expect(server.connections()).toBeGreaterThanOrEqual(1);
    expect(server.commands).toEqual([]);
  });

  it("readHostKeyFingerprint - nothing listening is an UnavailableError", async () => {
    const err = await readHostKeyFingerprint({ host: "127.0.0.1", port: 1 }, { timeoutMs: 2_000 }).catch(
      (e) => e,
    );
    expect(err).toBeInstanceOf(UnavailableError);
  });
});
