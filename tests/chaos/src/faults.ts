/**
 * The faults of a chaos run, injected through the simulator's control API (`/_sim/faults`): a
 * share of the Proxmox API calls answer an error, drop the connection or never answer, and the same
 * share of SSH commands fail, drop or hang. A hang lasts until the client's own deadline fires (the
 * run gives the provisioner short ones), so every hang is bounded.
 */

interface FaultSpec {
  readonly match: Record<string, unknown>;
  readonly effect: Record<string, unknown>;
  readonly rate: number;
}

/**
 * The simulator tries faults in order and the first that hits wins, so each rate is conditional on
 * the ones before missing: `shares` (of all calls) become rates that add up to `total`.
 */
export function sequentialRates(shares: readonly number[]): number[] {
  let left = 1;
  return shares.map((share) => {
    const rate = left > 0 ? Math.min(1, share / left) : 0;
    left -= share;
    return rate;
  });
}

/** The fault specs for `rate` (0..1) of API calls and of SSH commands. */
export function chaosFaults(rate: number): FaultSpec[] {
  // API: half errors (500 as pveproxy answers an internal failure), a quarter resets, a quarter hangs.
  const api = sequentialRates([rate / 2, rate / 4, rate / 4]);
  // SSH: half failures (exit 255 as ssh reports a lost connection), a quarter resets, a quarter hangs.
  const ssh = sequentialRates([rate / 2, rate / 4, rate / 4]);
  return [
    {
      match: {},
      effect: { kind: "http-error", status: 500, message: "chaos: internal error" },
      rate: api[0]!,
    },
    { match: {}, effect: { kind: "reset" }, rate: api[1]! },
    { match: {}, effect: { kind: "hang" }, rate: api[2]! },
    {
      match: { sshCommand: "" },
      effect: { kind: "ssh-failure", code: 255, stderr: "chaos: connection lost" },
      rate: ssh[0]!,
    },
    { match: { sshCommand: "" }, effect: { kind: "reset" }, rate: ssh[1]! },
    { match: { sshCommand: "" }, effect: { kind: "hang" }, rate: ssh[2]! },
  ];
}

/** Adds every chaos fault to the simulator; returns how many. */
export async function injectFaults(adminUrl: string, rate: number): Promise<number> {
  const specs = chaosFaults(rate);
  for (const spec of specs) {
    const res = await fetch(`${adminUrl}/_sim/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(spec),
    });
    if (!res.ok) throw new Error(`adding a fault failed: ${res.status} ${await res.text()}`);
  }
  return specs.length;
}

/** Removes every fault; returns how often each kind hit before. */
export async function clearFaults(adminUrl: string): Promise<Record<string, number>> {
  const list = await fetch(`${adminUrl}/_sim/faults`);
  const body = (await list.json()) as {
    data: { effect: { kind: string }; hits: number; match: { sshCommand?: string } }[];
  };
  const hits: Record<string, number> = {};
  for (const f of body.data) {
    const key = `${f.match.sshCommand === undefined ? "api" : "ssh"} ${f.effect.kind}`;
    hits[key] = (hits[key] ?? 0) + f.hits;
  }
  const res = await fetch(`${adminUrl}/_sim/faults`, { method: "DELETE" });
  if (!res.ok) throw new Error(`clearing the faults failed: ${res.status}`);
  return hits;
}
