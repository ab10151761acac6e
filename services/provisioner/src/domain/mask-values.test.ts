import { describe, expect, it } from "vitest";
import { maskValues } from "./mask-values.js";

describe("maskValues", () => {
  it("maskValues - replaces every occurrence of each value", () => {
    expect(maskValues("pw=s3cret; again s3cret; key abcd", ["s3cret", "abcd"])).toBe(
      "pw=***; again ***; key ***",
    );
  });

  it("maskValues - leaves very short values alone (they would mask ordinary words)", () => {
    expect(maskValues("true or false", ["true", "or"])).toBe("*** or false");
  });
});
