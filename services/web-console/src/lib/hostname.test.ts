import { HOSTNAME_MAX_LENGTH } from "@proximity/rules";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { hostnameAdvice, hostnameProblem, takenHostnameMessage } from "./hostname";

// The rule is @proximity/rules' (the gateway's and the applications service's too; tested there):
// these are the console's words for it.

describe("hostnameProblem", () => {
  it("says nothing of a name the rule accepts", () => {
    expect(hostnameProblem("wiki.home.lan")).toBeUndefined();
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
});

describe("hostnameAdvice", () => {
  it("says nothing of a name the rule accepts", () => {
    expect(hostnameAdvice("wiki-2.home")).toBeUndefined();
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
