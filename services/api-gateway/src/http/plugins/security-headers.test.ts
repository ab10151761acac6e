import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, connect } from "node:net";
import helmet from "helmet";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { applyHeaderSteps, HELMET_OPTIONS, recordHelmetSteps } from "./security-headers.js";

/** /helmet: helmet itself on each response, as @fastify/helmet ran it; else the recorded steps. */
const steps = recordHelmetSteps();
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  res.setHeader("X-Powered-By", "something");
  if (req.url === "/helmet") helmet(HELMET_OPTIONS)(req, res, () => res.end("ok"));
  else {
    applyHeaderSteps(res, steps);
    res.end("ok");
  }
});
beforeAll(() => new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** The response head exactly as sent (names' case, order, values), its Date masked. */
function rawHead(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect((server.address() as AddressInfo).port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk: Buffer) => {
      data += chunk.toString("latin1");
    });
    socket.on("end", () => resolve(data.split("\r\n\r\n")[0]!.replace(/^Date: .*$/m, "Date: (now)")));
    socket.on("error", reject);
    socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n`);
  });
}

describe("security headers - helmet's headers computed once", () => {
  it("security headers - the recorded steps send byte for byte what helmet sends", async () => {
    const byHelmet = await rawHead("/helmet");
    expect(await rawHead("/recorded")).toBe(byHelmet);
    expect(byHelmet).toContain("\r\nContent-Security-Policy: default-src 'self';");
    expect(byHelmet).toContain("\r\nX-Content-Type-Options: nosniff\r\n");
    expect(byHelmet).not.toMatch(/x-powered-by|strict-transport-security/i);
  });

  it("security headers - options that would need the request or a response method fail at start-up", () => {
    const nonce = (req: IncomingMessage) => `'nonce-${req.url}'`;
    expect(() =>
      recordHelmetSteps({ contentSecurityPolicy: { directives: { scriptSrc: ["'self'", nonce] } } }),
    ).toThrow(/helmet used req\.url/);
  });
});
