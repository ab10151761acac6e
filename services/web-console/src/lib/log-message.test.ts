import { describe, expect, it } from "vitest";
import { readableLogMessage } from "./log-message";

const A = "3f2c0b9e-8c1d-4e5f-9a7b-0c1d2e3f4a5b";
const B = "9ab10c2d-1111-4222-8333-444455556666";

describe("readableLogMessage", () => {
  it("says in words what the ids at the end of a success line stood for", () => {
    expect(readableLogMessage(`restored from backup ${A}`)).toBe("Restored from the backup");
    expect(readableLogMessage(`restored from backup ${A} of ${B}`)).toBe(
      "Restored from a backup of another app",
    );
    expect(readableLogMessage(`cloned from ${B}`)).toBe("Cloned from another app");
  });

  it("leaves out any other id closing a line, and keeps lines without one as they are", () => {
    expect(readableLogMessage(`Operation finished: ${A}`)).toBe("Operation finished");
    expect(readableLogMessage(`Snapshot taken (${A})`)).toBe("Snapshot taken");
    expect(readableLogMessage("Starting container 101")).toBe("Starting container 101");
    expect(readableLogMessage(`Backup ${A} is the newest`)).toBe(`Backup ${A} is the newest`);
    expect(readableLogMessage(A)).toBe(A);
  });
});
