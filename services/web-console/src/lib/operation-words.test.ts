import { describe, expect, it } from "vitest";
import { operationInWords } from "./operation-words";

describe("operationInWords", () => {
  it("says an app's operation in progress in words, and none as None", () => {
    expect(operationInWords("restore")).toBe("Restoring from a backup");
    expect(operationInWords("clone")).toBe("Cloning the app");
    expect(operationInWords(null)).toBe("None");
    expect(operationInWords("migrate")).toBe("migrate");
  });
});
