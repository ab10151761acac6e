import { describe, expect, it } from "vitest";
import {
  containerDescription,
  hasProximityTag,
  isCreatedBy,
  markedAppId,
  withProximityTag,
} from "./container-marker.js";

describe("container marker", () => {
  it("markedAppId - reads the app of a Proximity description, nothing from others", () => {
    expect(markedAppId(containerDescription("app-1", "op-1"))).toBe("app-1");
    expect(markedAppId("my notes app=app-1")).toBeUndefined();
    expect(markedAppId(undefined)).toBeUndefined();
    expect(markedAppId("proximity operation=x")).toBeUndefined();
  });

  it("isCreatedBy - matches the operation word exactly", () => {
    expect(isCreatedBy({ description: containerDescription("a", "op-12") }, "op-12")).toBe(true);
    expect(isCreatedBy({ description: containerDescription("a", "op-123") }, "op-12")).toBe(false);
  });

  it("hasProximityTag / withProximityTag - any separator, tag added once", () => {
    expect(hasProximityTag("web;proximity")).toBe(true);
    expect(hasProximityTag("proximity-x")).toBe(false);
    expect(withProximityTag("web,db")).toBe("web;db;proximity");
    expect(withProximityTag("proximity")).toBe("proximity");
    expect(withProximityTag(undefined)).toBe("proximity");
  });
});
