import { describe, expect, it } from "vitest";
import { addressKey } from "./client-address.js";

describe("client-address - addressKey", () => {
  it("client-address - IPv4 stands for itself, IPv4-mapped IPv6 is its IPv4 address", () => {
    expect(addressKey("203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(addressKey("::FFFF:cb00:7107")).toBe("203.0.113.7");
  });

  it("client-address - IPv6 addresses of one /64 share a key, another /64 does not", () => {
    const key = addressKey("2001:db8:1:2:aaaa:bbbb:cccc:dddd");
    expect(key).toBe("2001:db8:1:2::/64");
    expect(addressKey("2001:0DB8:0001:0002::1")).toBe(key);
    expect(addressKey("2001:db8:1:2::ffff:1.2.3.4")).toBe(key);
    expect(addressKey("fe80::1%eth0")).toBe("fe80:0:0:0::/64");
    expect(addressKey("2001:db8:1:3::1")).not.toBe(key);
    expect(addressKey("::1")).toBe("0:0:0:0::/64");
  });

  it("client-address - anything that is not an IP address has no key", () => {
    for (const bad of ["", "unknown", "1.2.3", "1.2.3.4.5", "2001:db8::1::2", "999.1.1.1", "example.org"]) {
      expect(addressKey(bad)).toBeNull();
    }
  });
});
