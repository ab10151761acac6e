import { describe, expect, it } from "vitest";
import { pageFrom, withParam } from "./search-params";

describe("withParam", () => {
  it("sets a value, drops an empty one, and forgets the parameters a change makes stale", () => {
    const params = new URLSearchParams("search=wiki&page=3&category=Media");
    expect(withParam(params, "search", "nextcloud", ["page"]).toString()).toBe(
      "search=nextcloud&category=Media",
    );
    expect(withParam(params, "category", "").toString()).toBe("search=wiki&page=3");
    // The given parameters are left as they were.
    expect(params.toString()).toBe("search=wiki&page=3&category=Media");
  });
});

describe("pageFrom", () => {
  it("reads a positive whole page number, else the first page", () => {
    expect(pageFrom("4")).toBe(4);
    expect(pageFrom(null)).toBe(1);
    expect(pageFrom("0")).toBe(1);
    expect(pageFrom("-2")).toBe(1);
    expect(pageFrom("1.5")).toBe(1);
    expect(pageFrom("two")).toBe(1);
  });
});
