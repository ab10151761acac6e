import { describe, expect, it } from "vitest";
import { externalUrl } from "./external-url";

describe("externalUrl", () => {
  it("keeps http and https addresses", () => {
    expect(externalUrl("http://10.0.0.5:8080")).toBe("http://10.0.0.5:8080/");
    expect(externalUrl("https://wiki.example")).toBe("https://wiki.example/");
  });

  it("refuses any other scheme or a broken value", () => {
    expect(externalUrl("javascript:alert(1)")).toBeUndefined();
    expect(externalUrl("data:text/html,hi")).toBeUndefined();
    expect(externalUrl("not a url")).toBeUndefined();
    expect(externalUrl(null)).toBeUndefined();
  });

  it("keeps only the protocols asked for", () => {
    expect(externalUrl("http://icons.example/wiki.svg", ["https:"])).toBeUndefined();
    expect(externalUrl("https://icons.example/wiki.svg", ["https:"])).toBe("https://icons.example/wiki.svg");
  });
});
