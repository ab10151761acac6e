/**
 * Injected faults. Each call site asks for the effect that applies to it (an API call, a task, an SSH
 * command, an image pull or service start inside a container, a shutdown); a fault with `times` is
 * used up as it hits, and `rate` makes it hit only sometimes. The kinds are listed in api.ts and
 * in the README.
 */
import { randomUUID } from "node:crypto";
import type { FaultEffect, FaultSpec } from "./api.js";

export interface StoredFault extends FaultSpec {
  readonly id: string;
  readonly hits: number;
}

export interface FaultRegistry {
  add(spec: FaultSpec): string;
  remove(id: string): void;
  clear(): void;
  list(): StoredFault[];
  /** Effect for an API request (http-error, latency, hang, reset). */
  forHttp(method: string, path: string): FaultEffect | undefined;
  /** Failure message for a task of `type` started by `method path`, if one should fail. */
  forTask(type: string, method: string, path: string): string | undefined;
  /** Effect for an SSH command (ssh-failure, latency, hang, reset); tested against every given text. */
  forSsh(commands: readonly string[]): FaultEffect | undefined;
  /** Message of an image-pull-failure for `image` in container `vmid`, if one hits. */
  forImagePull(vmid: number, image: string): string | undefined;
  /** What happens to a service of `image` in container `vmid` once it is started, if a fault hits. */
  forServiceStart(
    vmid: number,
    image: string,
  ): Extract<FaultEffect, { kind: "service-exit" | "service-unhealthy" }> | undefined;
  /** Whether container `vmid` ignores a clean shutdown this time. */
  forShutdown(vmid: number): boolean;
  /** Whether a backup of `vmid` written to `storage` finds it full. */
  forStorageFull(storage: string, vmid: number): boolean;
}

/** Creates an empty registry. `random` is injectable so rate-based tests can be deterministic. */
export function createFaultRegistry(random: () => number = Math.random): FaultRegistry {
  return new FaultRegistryImpl(random);
}

const HTTP_KINDS = new Set(["http-error", "latency", "hang", "reset"]);
const SSH_KINDS = new Set(["ssh-failure", "latency", "hang", "reset"]);
/** Faults of the guest (matched by vmid and image, never by API path or SSH command). */
const GUEST_KINDS = new Set(["image-pull-failure", "service-exit", "service-unhealthy", "shutdown-timeout"]);
const KINDS = new Set([...HTTP_KINDS, ...SSH_KINDS, ...GUEST_KINDS, "task-failure", "storage-full"]);

class FaultRegistryImpl implements FaultRegistry {
  readonly #faults = new Map<string, { spec: FaultSpec; hits: number }>();
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  add(spec: FaultSpec): string {
    if (!spec?.match || !KINDS.has(spec.effect?.kind)) {
      throw new Error(`unknown fault effect '${String(spec?.effect?.kind)}' (or no match given)`);
    }
    if (spec.match.path !== undefined) new RegExp(spec.match.path); // throws early on a bad pattern
    if (spec.match.sshCommand !== undefined) new RegExp(spec.match.sshCommand);
    if (spec.match.image !== undefined) new RegExp(spec.match.image);
    if (spec.match.vmid !== undefined && !Number.isInteger(spec.match.vmid)) {
      throw new Error(`fault match vmid must be an integer, got '${String(spec.match.vmid)}'`);
    }
    const id = randomUUID();
    this.#faults.set(id, { spec, hits: 0 });
    return id;
  }

  remove(id: string): void {
    this.#faults.delete(id);
  }

  clear(): void {
    this.#faults.clear();
  }

  list(): StoredFault[] {
    return [...this.#faults].map(([id, f]) => ({ ...f.spec, id, hits: f.hits }));
  }

  forHttp(method: string, path: string): FaultEffect | undefined {
    return this.#take((s) => {
      const m = s.match;
      // SSH- and task-scoped faults never touch API answers.
      if (!HTTP_KINDS.has(s.effect.kind) || m.sshCommand !== undefined || m.taskType !== undefined)
        return false;
      if (m.vmid !== undefined || m.image !== undefined) return false;
      return matchesHttp(s, method, path);
    });
  }

  forTask(type: string, method: string, path: string): string | undefined {
    const effect = this.#take(
      (s) =>
        s.effect.kind === "task-failure" &&
        (s.match.taskType === undefined || s.match.taskType === type) &&
        matchesHttp(s, method, path),
    );
    return effect?.kind === "task-failure" ? effect.message : undefined;
  }

  forSsh(commands: readonly string[]): FaultEffect | undefined {
    return this.#take((s) => {
      if (!SSH_KINDS.has(s.effect.kind) || s.match.vmid !== undefined || s.match.image !== undefined)
        return false;
      const pattern = s.match.sshCommand;
      // latency/hang/reset are HTTP faults unless explicitly scoped to SSH.
      if (pattern === undefined) return s.effect.kind === "ssh-failure";
      const re = new RegExp(pattern);
      return commands.some((c) => re.test(c));
    });
  }

  forImagePull(vmid: number, image: string): string | undefined {
    const effect = this.#take((s) => s.effect.kind === "image-pull-failure" && matchesGuest(s, vmid, image));
    if (effect?.kind !== "image-pull-failure") return undefined;
    return (
      effect.message ??
      `Error response from daemon: manifest for ${image} not found: manifest unknown: manifest unknown`
    );
  }

  forServiceStart(vmid: number, image: string) {
    const effect = this.#take(
      (s) =>
        (s.effect.kind === "service-exit" || s.effect.kind === "service-unhealthy") &&
        matchesGuest(s, vmid, image),
    );
    return effect?.kind === "service-exit" || effect?.kind === "service-unhealthy" ? effect : undefined;
  }

  forShutdown(vmid: number): boolean {
    return this.#take((s) => s.effect.kind === "shutdown-timeout" && matchesGuest(s, vmid)) !== undefined;
  }

  forStorageFull(storage: string, vmid: number): boolean {
    return (
      this.#take(
        (s) =>
          s.effect.kind === "storage-full" &&
          (s.match.storage === undefined || s.match.storage === storage) &&
          matchesGuest(s, vmid),
      ) !== undefined
    );
  }

  #take(applies: (s: FaultSpec) => boolean): FaultEffect | undefined {
    for (const [id, f] of this.#faults) {
      if (!applies(f.spec)) continue;
      if (this.#random() >= (f.spec.rate ?? 1)) continue;
      f.hits++;
      if (f.spec.times !== undefined && f.hits >= f.spec.times) this.#faults.delete(id);
      return f.spec.effect;
    }
    return undefined;
  }
}

function matchesGuest(s: FaultSpec, vmid: number, image?: string): boolean {
  if (s.match.vmid !== undefined && s.match.vmid !== vmid) return false;
  return s.match.image === undefined || (image !== undefined && new RegExp(s.match.image).test(image));
}

function matchesHttp(s: FaultSpec, method: string, path: string): boolean {
  if (s.match.method !== undefined && s.match.method !== method) return false;
  return s.match.path === undefined || new RegExp(s.match.path).test(path);
}
