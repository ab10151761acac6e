/**
 * What every benchmark prints and writes: each figure beside its goal and, where there is one, the
 * bare baseline measured in the same run. Figures are reported, never asserted: a benchmark exits 0
 * whether goals are met or not (a failure to *run* is an error). The JSON result goes to
 * `bench-results/<bench>.json` (git-ignored), with the machine and the commit, so runs compare.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join, resolve } from "node:path";

export interface Goal {
  /** "max": the figure must not exceed `value`; "min": it must reach it. */
  readonly kind: "max" | "min";
  readonly value: number;
}

export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  readonly goal?: Goal;
  /** The same figure from the bare baseline measured in this run. */
  readonly baseline?: number;
  readonly note?: string;
}

const root = resolve(import.meta.dirname, "../../..");

export function meets(figure: Figure): boolean | undefined {
  if (!figure.goal) return undefined;
  return figure.goal.kind === "max" ? figure.value <= figure.goal.value : figure.value >= figure.goal.value;
}

function commit(): string {
  try {
    return execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: root, encoding: "utf8" }).trim();
  } catch {
    return "unknown";
  }
}

const fmt = (n: number) =>
  Math.abs(n) >= 100 ? n.toFixed(0) : Math.abs(n) >= 10 ? n.toFixed(1) : n.toFixed(2);

export class BenchReport {
  private readonly figures: Figure[] = [];
  private readonly startedAt = new Date();

  constructor(
    readonly bench: string,
    /** The run's settings (sizes, durations, concurrency), written with the result. */
    readonly settings: Record<string, unknown> = {},
  ) {}

  add(figure: Figure): Figure {
    this.figures.push(figure);
    const goal = figure.goal
      ? `goal ${figure.goal.kind === "max" ? "≤" : "≥"} ${fmt(figure.goal.value)}`
      : "";
    const verdict = meets(figure) === undefined ? "" : meets(figure) ? "MET" : "NOT MET";
    const baseline =
      figure.baseline === undefined ? "" : `bare baseline ${fmt(figure.baseline)} ${figure.unit}`;
    const parts = [goal, baseline, verdict, figure.note ?? ""].filter(Boolean).join(" · ");
    console.log(`  ${figure.name}: ${fmt(figure.value)} ${figure.unit}${parts ? `  (${parts})` : ""}`);
    return figure;
  }

  /** Writes bench-results/<bench>.json and returns its path. */
  write(extra: Record<string, unknown> = {}): string {
    const dir = join(root, "bench-results");
    mkdirSync(dir, { recursive: true });
    const file = join(dir, `${this.bench}.json`);
    const result = {
      bench: this.bench,
      startedAt: this.startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      commit: commit(),
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model ?? "unknown",
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
      },
      settings: this.settings,
      figures: this.figures.map((f) => ({ ...f, met: meets(f) })),
      ...extra,
    };
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`  result written to ${file}`);
    return file;
  }
}

/** Latency percentiles of a sample, in its unit. */
export function percentiles(xs: readonly number[]): { p50: number; p95: number; p99: number; max: number } {
  if (xs.length === 0) return { p50: Number.NaN, p95: Number.NaN, p99: Number.NaN, max: Number.NaN };
  const s = [...xs].sort((a, b) => a - b);
  const q = (p: number) => s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)]!;
  return { p50: q(0.5), p95: q(0.95), p99: q(0.99), max: s.at(-1)! };
}
