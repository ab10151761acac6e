import { describe, expect, it } from "vitest";
// The gateway's own rule: the browser's check must never accept a name the gateway refuses.
import { isValidHostname } from "../../../api-gateway/src/domain/hostname";
import { ApiError } from "../api/errors";
import { HOSTNAME_MAX_LENGTH, hostnameAdvice, hostnameProblem, takenHostnameMessage } from "./hostname";

const SAMPLES = [
  "wiki",
  "my-app",
  "a",
  "wiki.home.lan",
  "1password",
  `${"a".repeat(63)}`,
  `${"a".repeat(64)}`,
  `${"a.".repeat(126)}a`,
  `${"a.".repeat(127)}a`,
  "",
  "-wiki",
  "wiki-",
  "wi_ki",
  "wiki..home",
  ".wiki",
  "wiki.",
  "my app",
  "Wiki",
  "wiki/1",
  "wïki",
];

describe("hostnameProblem", () => {
  it("accepts lower-case RFC 1123 names", () => {
    for (const name of ["wiki", "my-app", "a", "wiki.home.lan", "1password", "a".repeat(63)]) {
      expect(hostnameProblem(name), name).toBeUndefined();
    }
  });

  it("says in plain words what is wrong", () => {
    expect(hostnameProblem("")).toBe("is required");
    expect(hostnameProblem("Wiki")).toBe("must be lower-case");
    expect(hostnameProblem("my app")).toBe("must not contain spaces");
    expect(hostnameProblem("-wiki")).toMatch(/start or end with '-'/);
    expect(hostnameProblem("wiki-")).toMatch(/start or end with '-'/);
    expect(hostnameProblem("wi_ki")).toMatch(/only contain/);
    expect(hostnameProblem("wiki..home")).toMatch(/1–63 characters/);
    expect(hostnameProblem("a".repeat(64))).toMatch(/1–63 characters/);
    expect(hostnameProblem("a".repeat(HOSTNAME_MAX_LENGTH + 1))).toBe("must be at most 253 characters");
  });

  it("never accepts a name the gateway refuses", () => {
    for (const name of SAMPLES) {
      if (hostnameProblem(name) === undefined) expect(isValidHostname(name), name).toBe(true);
    }
  });

  it("refuses only upper case beyond what the gateway refuses (the applications service's rule)", () => {
    for (const name of SAMPLES) {
      if (isValidHostname(name) && hostnameProblem(name) !== undefined)
        expect(hostnameProblem(name), name).toBe("must be lower-case");
    }
  });
});

describe("hostnameAdvice", () => {
  it("accepts RFC 1123 host names in lower case", () => {
    expect(hostnameAdvice("wiki")).toBeUndefined();
    expect(hostnameAdvice("wiki-2.home")).toBeUndefined();
    expect(hostnameAdvice("a".repeat(63))).toBeUndefined();
  });

  it("says what is wrong with anything else", () => {
    expect(hostnameAdvice("")).toBe("Enter a host name.");
    expect(hostnameAdvice("Wiki")).toBe("Use lower-case letters only.");
    expect(hostnameAdvice("-wiki")).toMatch(/hyphen/);
    expect(hostnameAdvice("wiki_2")).toMatch(/a-z, 0-9/);
    expect(hostnameAdvice("wiki..home")).toMatch(/1–63/);
    expect(hostnameAdvice("a".repeat(64))).toMatch(/1–63/);
    expect(hostnameAdvice(`${"a.".repeat(127)}a`)).toMatch(/at most 253/);
  });
});

describe("takenHostnameMessage", () => {
  it("places a conflict about the host name at its field, and no other error", () => {
    const taken = new ApiError(409, "Hostname wiki-2 is already in use");
    expect(takenHostnameMessage(taken)).toBe("Hostname wiki-2 is already in use");
    expect(takenHostnameMessage(new ApiError(409, "The host is being removed"))).toBeUndefined();
    expect(takenHostnameMessage(new ApiError(400, "Invalid host name"))).toBeUndefined();
    expect(takenHostnameMessage(undefined)).toBeUndefined();
  });
});
