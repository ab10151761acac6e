import type { hostsV1 } from "@proximity/proto";
import { placementAnswersShared } from "../metrics.js";
import type { PlacementClient } from "./resolve-placement.js";

/**
 * The hosts service's answers to "where does a new container go", shared by this replica's
 * placements for `maxAgeMs`. Every deploy, adoption and restore into a new app asked it: a gRPC
 * round trip (and most of the hosts service's work per deploy) for an answer that changes only
 * when its inputs do: hosts added, removed or found unreachable (by a check or an observation),
 * nodes' status and memory as last observed. Placements at once, and within `maxAgeMs` of the call,
 * with the same request (the same explicit host and node, or none) now share one answer, the call
 * in flight included.
 *
 * What this changes: a placement may follow an answer up to `maxAgeMs` old. A node found offline
 * since is chosen for up to `maxAgeMs` more, against the observation interval that already delays
 * noticing it. A host retired since is refused by this service's placement guard; an automatic
 * deploy so refused forgets the answer and asks again (deploy-app.ts). A failed answer is never
 * kept: the callers waiting on it get its error, the next placement asks again. The call carries
 * no end user (PlacementClient), so the answer is the same whoever asks; it is made within the
 * trace of the placement that asked first (the others' traces show no hosts call).
 */
export interface SharedPlacements extends PlacementClient {
  forget(request: hostsV1.ResolvePlacementRequest): void;
  /** Requests whose answer is kept (tests). */
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
  // The request's fields, not its object (callers build a new one each time).
  const keyOf = (request: hostsV1.ResolvePlacementRequest) => JSON.stringify([request.hostId, request.node]);

  return {
    resolvePlacement(request, callOptions) {
      if (maxAgeMs <= 0) return hosts.resolvePlacement(request, callOptions);
      const key = keyOf(request);
      const shared = answers.get(key);
      if (shared && now() - shared.startedAt < maxAgeMs) {
        placementAnswersShared.inc();
        return shared.response;
      }
      const mine: Answer = { startedAt: now(), response: hosts.resolvePlacement(request, callOptions) };
      answers.set(key, mine);
      const drop = () => {
        if (answers.get(key) === mine) answers.delete(key);
      };
      // Failed: not kept past its own callers. Answered: dropped once too old, so a request no
      // longer made (an explicit host since removed) keeps nothing.
      mine.response.then(() => setTimeout(drop, maxAgeMs).unref(), drop);
      return mine.response;
    },
    forget(request) {
      answers.delete(keyOf(request));
    },
    size: () => answers.size,
  };
}
