import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { checkNewHostname, parseBackupOptions, whyNotDeletable, whyNotRestorable } from "./backup.js";

const fieldsOf = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ValidationError);
    return (err as ValidationError).fieldErrors.map((f) => f.field);
  }
  throw new Error("accepted");
};

describe("backup options", () => {
  it("parseBackupOptions - empty values take the defaults; valid values pass", () => {
    expect(parseBackupOptions({ mode: "", compression: "", storage: "" })).toEqual({
      mode: "snapshot",
      compression: "zstd",
      storage: "",
    });
    expect(parseBackupOptions({ mode: "stop", compression: "lzo", storage: "nfs-1.bk_x" })).toEqual({
      mode: "stop",
      compression: "lzo",
      storage: "nfs-1.bk_x",
    });
  });

  it("parseBackupOptions - every bad field is named", () => {
    expect(
      fieldsOf(() => parseBackupOptions({ mode: "Snapshot", compression: "zip", storage: "1local" })),
    ).toEqual(["mode", "compression", "storage"]);
    expect(
      fieldsOf(() => parseBackupOptions({ mode: "", compression: "", storage: `a${"b".repeat(64)}` })),
    ).toEqual(["storage"]);
    expect(() =>
      parseBackupOptions({ mode: "", compression: "", storage: `a${"b".repeat(63)}` }),
    ).not.toThrow();
    expect(fieldsOf(() => parseBackupOptions({ mode: "", compression: "", storage: "Local" }))).toEqual([
      "storage",
    ]);
  });

  it("checkNewHostname - empty means the same app; otherwise the platform's host name rule", () => {
    expect(checkNewHostname("")).toBe("");
    expect(checkNewHostname("blog-2")).toBe("blog-2");
    expect(checkNewHostname("blog.home")).toBe("blog.home");
    expect(checkNewHostname("a".repeat(63))).toBe("a".repeat(63));
    for (const bad of ["a".repeat(64), "blog copy", "Blog", "-blog", "x/y", "a..b"]) {
      expect(fieldsOf(() => checkNewHostname(bad))).toEqual(["new_hostname"]);
    }
  });

  it("refusal wording - why a backup cannot be restored or deleted now", () => {
    expect(whyNotRestorable("missing", false)).toBe("The archive is no longer on its storage");
    expect(whyNotRestorable("deleting", false)).toBe("The backup is being deleted");
    expect(whyNotRestorable("completed", true)).toBe("A restore from this backup is running");
    expect(whyNotRestorable("failed", false)).toBe("Only a completed backup can be restored");
    expect(whyNotRestorable("running", false)).toBe("Only a completed backup can be restored");
    expect(whyNotDeletable(true)).toBe("A restore from this backup is running");
    expect(whyNotDeletable(false)).toBe("The backup is still running");
  });
});
