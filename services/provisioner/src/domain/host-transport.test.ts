import { describe, expect, it } from "vitest";
import { assertTransportAllowed, hostApiBaseUrl, PlainHttpRefusedError } from "./host-transport.js";

const host = { name: "pve-a", address: "10.0.0.5", port: 8006 };

describe("host transport", () => {
  it("host transport - plain HTTP is refused outside development, naming the host and the fix", () => {
    const refusal = (() => {
      try {
        assertTransportAllowed({ ...host, insecureHttp: true }, { allowPlainHttp: false });
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(PlainHttpRefusedError);
    expect((refusal as Error).message).toMatch(
      /^Host pve-a is registered for plain HTTP.*TLS fingerprint or CA$/,
    );
  });

  it("host transport - HTTPS always, plain HTTP in development", () => {
    expect(() =>
      assertTransportAllowed({ ...host, insecureHttp: false }, { allowPlainHttp: false }),
    ).not.toThrow();
    expect(() =>
      assertTransportAllowed({ ...host, insecureHttp: true }, { allowPlainHttp: true }),
    ).not.toThrow();
    expect(hostApiBaseUrl({ ...host, insecureHttp: false })).toBe("https://10.0.0.5:8006");
    expect(hostApiBaseUrl({ ...host, insecureHttp: true })).toBe("http://10.0.0.5:8006");
  });
});
