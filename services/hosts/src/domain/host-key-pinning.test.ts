import { describe, expect, it } from "vitest";
import { hostKeysToPin } from "./host-key-pinning.js";

const key = (b: number) => `SHA256:${Buffer.alloc(32, b).toString("base64").replace(/=+$/, "")}`;

describe("hostKeysToPin", () => {
  it("tofu - pins the presented key of a node awaiting trust on first use", () => {
    expect(
      hostKeysToPin(
        [{ name: "pve1", sshHostKeyFingerprint: "", trustOnFirstUse: true }],
        [{ name: "pve1", sshHostKeyFingerprint: key(1) }],
      ),
    ).toEqual([{ node: "pve1", fingerprint: key(1) }]);
  });

  it("tofu - never replaces a pinned key, nor pins without consent or without a valid key", () => {
    expect(
      hostKeysToPin(
        [
          { name: "pinned", sshHostKeyFingerprint: key(1), trustOnFirstUse: true },
          { name: "no-consent", sshHostKeyFingerprint: "", trustOnFirstUse: false },
          { name: "garbage", sshHostKeyFingerprint: "", trustOnFirstUse: true },
          { name: "unread", sshHostKeyFingerprint: "", trustOnFirstUse: true },
        ],
        [
          { name: "pinned", sshHostKeyFingerprint: key(2) },
          { name: "no-consent", sshHostKeyFingerprint: key(3) },
          { name: "garbage", sshHostKeyFingerprint: "MD5:aa" },
          { name: "unread", sshHostKeyFingerprint: "" },
        ],
      ),
    ).toEqual([]);
  });
});
