import { describe, expect, it } from "vitest";
import { limitEffect, limitSource, limitText } from "./quota-text";

describe("quota text", () => {
  it("says a limit of 0 allows no apps, never a bare 0", () => {
    expect(limitText(0)).toBe("No apps allowed");
    expect(limitText(1)).toBe("At most 1 app");
    expect(limitText(25)).toBe("At most 25 apps");
  });

  it("says whose the limit is", () => {
    expect(limitSource({ is_default: true })).toMatch(/^the default limit/);
    expect(limitSource({ is_default: false })).toBe("a limit of their own");
  });

  it("says what the limit does once it is reached", () => {
    expect(limitEffect({ max_apps: 25, used: 3 })).toBeUndefined();
    expect(limitEffect({ max_apps: 3, used: 3 })).toBe("They are at the limit: new apps are refused.");
    expect(limitEffect({ max_apps: 2, used: 3 })).toMatch(/their apps stay, new ones are refused/);
    expect(limitEffect({ max_apps: 0, used: 0 })).toBe("They cannot deploy apps.");
  });
});
