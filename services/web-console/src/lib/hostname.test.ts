import { HOSTNAME_MAX_LENGTH } from "@proximity/rules";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { hostnameAdvice, takenHostnameMessage } from "./hostname";

// The rule is @proximity/rules' (the gateway's and the applications service's too; tested there):
// these are the console's words for it.

describe("hostnameAdvice", () => {
  it("says nothing of a name the rule accepts", () => {
    expect(hostnameAdvice("wiki-2.home")).toBeUndefined();
  });

  it("says what is wrong with anything else", () => {
    expect(hostnameAdvice("")).toBe("Enter a host name.");
    expect(hostnameAdvice("Wiki")).toBe("Use lower-case letters only.");
    expect(hostnameAdvice("-wiki")).toMatch(/hyphen/);
    expect(hostnameAdvice("wiki_2")).toMatch(/a–z, 0–9/);
    expect(hostnameAdvice("my app")).toMatch(/^Remove the spaces\./);
    expect(hostnameAdvice("wiki..home")).toBe(
      "Each part between dots must be 1–63 characters: remove the extra dot (two dots in a row leave an empty part).",
    );
    expect(hostnameAdvice("wiki.")).toMatch(/remove the dot at the start or the end/);
    expect(hostnameAdvice(".wiki")).toMatch(/remove the dot at the start or the end/);
    expect(hostnameAdvice("a".repeat(64))).toBe("Each part between dots must be 1–63 characters.");
    expect(hostnameAdvice(`${"a.".repeat(127)}a`)).toBe(`Use at most ${HOSTNAME_MAX_LENGTH} characters.`);
  });
});

describe("takenHostnameMessage", () => {
  it("places a conflict about the host name at its field, and no other error", () => {
    const taken = new ApiError(409, "Hostname wiki-2 is already in use");
    expect(takenHostnameMessage(taken)).toBe("Host name wiki-2 is already in use");
    expect(takenHostnameMessage(new ApiError(409, "The host is being removed"))).toBeUndefined();
    expect(takenHostnameMessage(new ApiError(400, "Invalid host name"))).toBeUndefined();
    expect(takenHostnameMessage(undefined)).toBeUndefined();
  });
});
