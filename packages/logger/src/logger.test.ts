import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger } from "./index.js";

function capture(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  return { stream, text: () => chunks.join("") };
}

describe("createLogger", () => {
  it("createLogger - writes JSON with service and level names", () => {
    const out = capture();
    createLogger({ service: "svc", level: "info" }, out.stream).info({ requestId: "r1" }, "hello");
    const line = JSON.parse(out.text());
    expect(line).toMatchObject({ service: "svc", level: "info", requestId: "r1", msg: "hello" });
  });

  it("createLogger - redacts secrets at any of the first three levels", () => {
    const out = capture();
    const log = createLogger({ service: "svc" }, out.stream);
    log.info({ password: "hunter2-top", credentials: { apiSecret: "s3cr3t-api" } }, "x");
    log.info({ req: { headers: { authorization: "Bearer tok-123", cookie: "proximity_session=abc" } } }, "y");
    log.child({ host: { sshPrivateKey: "-----BEGIN KEY-----" } }).info("z");
    const text = out.text();
    for (const secret of ["hunter2-top", "s3cr3t-api", "tok-123", "proximity_session=abc", "BEGIN KEY"])
      expect(text).not.toContain(secret);
    expect(text).toContain("[redacted]");
  });
});
