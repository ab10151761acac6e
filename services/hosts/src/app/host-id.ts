import { ValidationError } from "@proximity/errors";
import { isUuid } from "../domain/host-fields.js";

/** Rejects a malformed host id before it reaches a uuid column. */
export function assertHostId(id: string, field = "id"): void {
  if (!isUuid(id)) throw new ValidationError("Invalid host id", [{ field, message: "must be a UUID" }]);
}
