import { ValidationError } from "@proximity/errors";

/**
 * Names are paths of segments: `proxmox/hosts/<id>/api-secret`, `apps/<id>/env/<NAME>` (variable names
 * keep their case). No empty, `.` or `..` segment, so a name never looks like a path trick to a
 * reader or a policy rule.
 */
const NAME = /^[A-Za-z0-9][A-Za-z0-9/_.-]{0,199}$/;
const BAD_SEGMENT = /(^|\/)\.{0,2}(\/|$)/;

/** Largest value accepted (64 KiB): credentials and generated passwords, not files. */
export const MAX_SECRET_BYTES = 64 * 1024;

/** Throws a ValidationError unless `name` is a valid secret name. */
export function assertSecretName(name: string): void {
  if (!NAME.test(name) || BAD_SEGMENT.test(name))
    throw new ValidationError("Invalid secret name", [
      {
        field: "name",
        message:
          "1 to 200 characters of letters, digits, '/', '_', '.', '-', starting with a letter or digit, without empty, '.' or '..' segments",
      },
    ]);
}

/** Throws a ValidationError unless `value` is a non-empty value of at most MAX_SECRET_BYTES. */
export function assertSecretValue(value: Buffer): void {
  if (value.length === 0)
    throw new ValidationError("Invalid secret value", [{ field: "value", message: "must not be empty" }]);
  if (value.length > MAX_SECRET_BYTES)
    throw new ValidationError("Invalid secret value", [
      { field: "value", message: `must be at most ${MAX_SECRET_BYTES} bytes` },
    ]);
}
