import { ValidationError } from "@proximity/errors";
import { describe, expect, it } from "vitest";
import { accessContext } from "./access-context.js";

const TRACE = "0af7651916cd43dd8448eb211c80319c";

describe("accessContext", () => {
  it("accessContext - the trace id of the traceparent and the operation id when given", () => {
    expect(
      accessContext("provisioner", `00-${TRACE}-b7ad6b7169203331-01`, "A1B2C3D4-0000-4000-8000-000000000001"),
    ).toEqual({
      caller: "provisioner",
      traceId: TRACE,
      operationId: "a1b2c3d4-0000-4000-8000-000000000001",
    });
    expect(accessContext("hosts", "")).toEqual({ caller: "hosts", traceId: "", operationId: null });
    expect(accessContext("hosts", "garbage-<x>-1").traceId).toBe("");
  });

  it("accessContext - an operation id that is not a UUID is a ValidationError on operation_id", () => {
    for (const bad of ["op-1", "' or 1=1 --", `${"a".repeat(8)}-0000-4000-8000-00000000000`]) {
      const err = (() => {
        try {
          accessContext("provisioner", "", bad);
        } catch (e) {
          return e;
        }
      })();
      expect(err).toBeInstanceOf(ValidationError);
      expect((err as ValidationError).fieldErrors).toEqual([
        { field: "operation_id", message: "must be a UUID" },
      ]);
    }
  });
});
