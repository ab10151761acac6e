/** Input checks done before anything is sent, so bad ids fail fast and never reach a URL or a shell. */
import { ValidationError } from "@proximity/errors";

/** Throws ValidationError unless `vmid` is an integer in the Proxmox range 100..999999999. */
export function assertVmid(vmid: number, field = "vmid"): void {
  if (!Number.isInteger(vmid) || vmid < 100 || vmid > 999_999_999) {
    throw new ValidationError("Invalid container id", [
      { field, message: "must be a whole number from 100 to 999999999" },
    ]);
  }
}

/**
 * Throws ValidationError unless `node` looks like a Proxmox node name (a DNS label), in the words
 * of @proximity/rules' NODE_NAME_FIELD_MESSAGE (the API's wording of the same rule).
 */
export function assertNode(node: string): void {
  if (!/^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$/.test(node)) {
    throw new ValidationError("Invalid Proxmox node name", [
      {
        field: "node",
        message: "must be 1–63 letters, digits or hyphens, not starting or ending with a hyphen",
      },
    ]);
  }
}
