/**
 * Injected faults. Each call site asks for the effect that applies to it (an API call, a task, an SSH
 * command); a fault with `times` is used up as it hits, and `rate` makes it hit only sometimes.
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
}

/** Creates an empty registry. `random` is injectable so rate-based tests can be deterministic. */
export function createFaultRegistry(random: () => number = Math.random): FaultRegistry {
  return new FaultRegistryImpl(random);
}

const HTTP_KINDS = new Set(["http-error", "latency", "hang", "reset"]);
const SSH_KINDS = new Set(["ssh-failure", "latency", "hang", "reset"]);

class FaultRegistryImpl implements FaultRegistry {
  readonly #faults = new Map<string, { spec: FaultSpec; hits: number }>();
  readonly #random: () => number;

  constructor(random: () => number) {
    this.#random = random;
  }

  add(spec: FaultSpec): string {
    if (spec.match.path !== undefined) new RegExp(spec.match.path); // throws early on a bad pattern
    if (spec.match.sshCommand !== undefined) new RegExp(spec.match.sshCommand);
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
      if (!SSH_KINDS.has(s.effect.kind)) return false;
      const pattern = s.match.sshCommand;
      // latency/hang/reset are HTTP faults unless explicitly scoped to SSH.
      if (pattern === undefined) return s.effect.kind === "ssh-failure";
      const re = new RegExp(pattern);
      return commands.some((c) => re.test(c));
    });
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

function matchesHttp(s: FaultSpec, method: string, path: string): boolean {
  if (s.match.method !== undefined && s.match.method !== method) return false;
  return s.match.path === undefined || new RegExp(s.match.path).test(path);
}
