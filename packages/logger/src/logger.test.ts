import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, type Logger, lazyChild } from "./index.js";

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

  it("lazyChild - makes the child only when used, and writes exactly what the child would (nested, redacted)", () => {
    const out = capture();
    const root = createLogger({ service: "svc", level: "info" }, out.stream);
    let made = 0;
    const child = root.child.bind(root);
    const counted = Object.assign(Object.create(root), {
      child: (b: Record<string, unknown>) => {
        made += 1;
        return child(b);
      },
    });
    const rpc = lazyChild(counted, { rpc: "GetApp", traceId: "t1" });
    const call = lazyChild(rpc, { caller: "api-gateway", secret: "s3cr3t-x" });
    expect(made).toBe(0);
    call.debug("below the level");
    expect(call.isLevelEnabled("info")).toBe(true);
    call.info({ n: 1 }, "served");
    expect(made).toBe(1);
    const line = JSON.parse(out.text().trim());
    expect(line).toMatchObject({ rpc: "GetApp", traceId: "t1", caller: "api-gateway", n: 1, msg: "served" });
    expect(out.text()).not.toContain("s3cr3t-x");
  });

  it("lazyChild - a pending child's children make one pino child, writing the lines the chain would", () => {
    let made = 0;
    const pending = linesOf((root) => {
      const counted = Object.assign(Object.create(root), {
        child: (bindings: Record<string, unknown>, options?: object) => {
          made += 1;
          return root.child(bindings, options);
        },
      });
      const request = lazyChild(counted, { requestId: "r1" }, {});
      expect(typeof request.info).toBe("function"); // what fastify checks of a request logger
      const log = lazyChild(request.child({ traceId: "t1" }), { userId: "u1" });
      expect(made).toBe(0);
      return log;
    });
    expect(made).toBe(1);
    // The chain as pino makes it: the request id (fastify's child), then trace id, then user id.
    const chained = linesOf((root) =>
      root.child({ requestId: "r1" }, {}).child({ traceId: "t1" }).child({ userId: "u1" }),
    );
    expect(pending).toBe(chained);
    expect(pending).toContain('"requestId":"r1","traceId":"t1","userId":"u1","n":1,"msg":"served"');
  });

  it("lazyChild - a repeated key, an index key or child options make a real child, as pino would", () => {
    for (const more of [{ requestId: "r2" }, { 7: "index" }]) {
      const pending = linesOf((root) => lazyChild(root, { requestId: "r1" }).child(more));
      expect(pending).toBe(linesOf((root) => root.child({ requestId: "r1" }).child(more)));
    }
    const quieter = linesOf((root) => lazyChild(root, { requestId: "r1" }).child({}, { level: "warn" }));
    expect(quieter).toBe("");
  });
});

/** What a logger made from a root logger writes for an info and a debug line (times masked). */
function linesOf(make: (root: Logger) => Logger): string {
  const out = capture();
  const log = make(createLogger({ service: "svc", level: "debug" }, out.stream));
  log.info({ n: 1 }, "served");
  log.debug("debug too");
  return out.text().replaceAll(/"time":"[^"]+"/g, '"time":"-"');
}
