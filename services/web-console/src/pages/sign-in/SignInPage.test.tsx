import { describe, expect, it } from "vitest";
import { safeNextPath } from "./SignInPage";

describe("safeNextPath", () => {
  it("leads back to a path of this site only", () => {
    expect(safeNextPath("/apps/1?tab=logs")).toBe("/apps/1?tab=logs");
    expect(safeNextPath("https://evil.example")).toBe("/apps");
    expect(safeNextPath("//evil.example")).toBe("/apps");
    expect(safeNextPath("/\\evil.example")).toBe("/apps");
    expect(safeNextPath("/sign-in?next=/x")).toBe("/apps");
    expect(safeNextPath(null)).toBe("/apps");
  });
});
