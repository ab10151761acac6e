import type { Host, Node } from "../../../api/types";
import type { Tone } from "../../../components/Badge";
import { tlsModeOf } from "./host-form";

/** Host, node and TLS states in words (pure). */

/** Host statuses of the hosts service: `unknown` until the first check, then reachable or not. */
export function hostStatusOf(status: string): { label: string; tone: Tone } {
  if (status === "reachable") return { label: "Reachable", tone: "ok" };
  if (status === "unreachable") return { label: "Unreachable", tone: "bad" };
  if (status === "unknown") return { label: "Not checked yet", tone: "idle" };
  return { label: status, tone: "idle" };
}

export function nodeStatusOf(status: string): { label: string; tone: Tone } {
  if (status === "online") return { label: "Online", tone: "ok" };
  if (status === "offline") return { label: "Offline", tone: "bad" };
  if (status === "unknown") return { label: "Unknown", tone: "idle" };
  return { label: status, tone: "idle" };
}

export function tlsModeLabel(host: Host): string {
  switch (tlsModeOf(host)) {
    case "pin":
      return "Pinned certificate";
    case "ca":
      return "Own CA certificate";
    case "insecure":
      return "Plain HTTP, not encrypted";
    default:
      return "Public CA (system trust store)";
  }
}

/** A node's SSH host key: pinned, or waiting to be pinned at the next check (trust on first use). */
export function hostKeyLabel(node: Node): string {
  if (node.ssh_host_key_fingerprint) return node.ssh_host_key_fingerprint;
  return node.trust_on_first_use ? "Not pinned yet: the next check pins the key it sees" : "Not pinned";
}
