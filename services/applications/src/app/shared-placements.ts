import type { hostsV1 } from "@proximity/proto";
import { placementLookups } from "../metrics.js";
import type { PlacementClient } from "./resolve-placement.js";

/**
 * The hosts service's answers to "where does a new container go", shared by this replica's
 * placements for `maxAgeMs`. Every deploy, clone, adoption and restore into a new app asked it:
 * a gRPC round trip (and most of the hosts service's work per deploy) for an answer that changes
 * only when its inputs do: hosts added, removed or found unreachable, nodes' status and memory as
 * last observed (every OBSERVE_INTERVAL_MS). Placements at once, and within `maxAgeMs`, with the
 * same request (the same explicit host and node, or none) now share one answer, the call in flight
 * included.
 *
 * What this changes: a placement may follow an answer up to `maxAgeMs` old. A host retired since
 * is refused by this service's own placement guard, as it was when the retirement came between
 * the answer and the placement; a node found offline since is chosen for up to `maxAgeMs` more,
 * against the observation interval that already delays noticing it. A failed answer is never
 * kept: the callers waiting on it get its error, the next placement asks again. The call is the
 * service's own (no end user in it), so the answer is the same whoever asks.
 */
export interface SharedPlacements extends PlacementClient {
  /** Requests whose answer is kept (tests, metrics). */
  size(): number;
}

interface Answer {
  /** When the call began (monotonic ms): its age counts from then. */
  readonly startedAt: number;
  readonly response: Promise<hostsV1.ResolvePlacementResponse>;
}

export function sharePlacements(
  hosts: PlacementClient,
  options: {
    /** Longest an answer is shared; 0 shares none (every placement asks). */
    readonly maxAgeMs: number;
    /** Monotonic clock in ms (tests). */
    readonly now?: () => number;
  },
): SharedPlacements {
  const { maxAgeMs } = options;
  const now = options.now ?? (() => performance.now());
  const answers = new Map<string, Answer>();

  const ask: PlacementClient["resolvePlacement"] = (request, callOptions) => {
    placementLookups.inc();
    return hosts.resolvePlacement(request, callOptions);
  };

  return {
    resolvePlacement(request, callOptions) {
      if (maxAgeMs <= 0) return ask(request, callOptions);
      // The fields of the request, not its object: callers build a new one each time.
      const key = `${request.hostId}\u0000${request.node}`;
      const shared = answers.get(key);
      if (shared && now() - shared.startedAt < maxAgeMs) return shared.response;
      const mine: Answer = { startedAt: now(), response: ask(request, callOptions) };
      answers.set(key, mine);
      const drop = () => {
        if (answers.get(key) === mine) answers.delete(key);
      };
      // Failed: not kept past its own callers. Answered: dropped once too old, so a request no
      // longer made (an explicit host since removed) keeps nothing.
      mine.response.then(() => setTimeout(drop, maxAgeMs).unref(), drop);
      return mine.response;
    },
    size: () => answers.size,
  };
}
