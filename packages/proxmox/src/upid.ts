/** Parsing of Proxmox task ids (UPIDs). */
import { ValidationError } from "@proximity/errors";

/** The fields of a UPID `UPID:<node>:<pid>:<pstart>:<starttime>:<type>:<id>:<user>:`. */
export interface ParsedUpid {
  readonly node: string;
  readonly pid: number;
  readonly pstart: number;
  /** Unix seconds. */
  readonly starttime: number;
  readonly type: string;
  readonly id: string;
  readonly user: string;
}

const UPID_RE =
  /^UPID:([a-zA-Z0-9][a-zA-Z0-9.-]*):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/;

/**
 * Parses a UPID; throws ValidationError when it is not one. The node is what the task status
 * endpoint needs, so callers only have to keep the UPID.
 * @example parseUpid("UPID:pve1:000934AF:0D015579:68BF3A41:vzdump:100:root@pam:").node // "pve1"
 */
export function parseUpid(upid: string): ParsedUpid {
  const m = UPID_RE.exec(upid);
  if (!m) throw new ValidationError("Not a Proxmox task id", [{ field: "upid", message: "malformed" }]);
  return {
    node: m[1]!,
    pid: Number.parseInt(m[2]!, 16),
    pstart: Number.parseInt(m[3]!, 16),
    starttime: Number.parseInt(m[4]!, 16),
    type: m[5]!,
    id: m[6]!,
    user: m[7]!,
  };
}
