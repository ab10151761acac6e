import { readFileSync } from "node:fs";
import { join } from "node:path";
import { metricsRegistry } from "@proximity/metrics";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { repositoryRoot } from "../src/compose.js";

/** The alerts the runbooks (docs/runbooks/<AlertName>.md) are written for. */
const ALERTS = [
  "ProximityDeadLettersGrowing",
  "ProximityOutboxLag",
  "ProximityBreakerOpen",
  "ProximityOperationsStuck",
  "ProximityConsumerRedeliveries",
  "ProximityServiceDown",
];

/** Series Prometheus makes itself, not registered by any service. */
const PROMETHEUS_OWN = new Set(["up"]);

interface Rule {
  readonly alert?: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

const rules: Rule[] = (
  parse(readFileSync(join(repositoryRoot, "deploy/prometheus/alerts.yaml"), "utf8")) as {
    groups: { name: string; rules: Rule[] }[];
  }
).groups.flatMap((g) => g.rules);
const dashboard = JSON.parse(
  readFileSync(join(repositoryRoot, "deploy/grafana/proximity-dashboard.json"), "utf8"),
) as {
  panels: { title: string; targets?: { expr: string }[] }[];
};

/** Metric names of a PromQL expression: identifiers that are neither functions, keywords nor labels. */
function metricNamesIn(expr: string): string[] {
  const cleaned = expr
    .replace(/"[^"]*"/g, '""')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "")
    .replace(/\{[^}]*\}/g, "")
    .replace(/\[[^\]]*\]/g, "");
  const keywords = new Set(["and", "or", "unless", "bool", "offset"]);
  const names: string[] = [];
  for (const match of cleaned.matchAll(/\b[a-zA-Z_:][a-zA-Z0-9_:]*\b/g)) {
    const followedBy = cleaned.slice((match.index ?? 0) + match[0].length);
    if (/^\s*\(/.test(followedBy) || keywords.has(match[0])) continue; // a function or an operator
    if (!names.includes(match[0])) names.push(match[0]);
  }
  return names;
}

/** Every series name the services' metric definitions expose (histograms as _bucket, _sum, _count). */
async function registeredSeries(): Promise<Set<string>> {
  // Importing a definitions module registers its metrics in the process registry.
  await import("../../../packages/grpc/src/metrics.js");
  await import("../../../packages/bus/src/metrics.js");
  await import("../../../services/api-gateway/src/http/plugins/request-metrics.js");
  await import("../../../services/applications/src/metrics.js");
  await import("../../../services/provisioner/src/infra/metrics.js");
  const series = new Set<string>();
  for (const metric of await metricsRegistry().getMetricsAsJSON()) {
    series.add(metric.name);
    if (String(metric.type) === "histogram")
      for (const suffix of ["_bucket", "_sum", "_count"]) series.add(`${metric.name}${suffix}`);
  }
  return series;
}

describe("deploy/prometheus/alerts.yaml", () => {
  let series: Set<string>;
  beforeAll(async () => {
    series = await registeredSeries();
  });

  it("has exactly the alerts the runbooks cover, each with a severity and its runbook", () => {
    expect(rules.map((r) => r.alert).sort()).toEqual([...ALERTS].sort());
    for (const rule of rules) {
      expect(rule.annotations?.runbook_url, rule.alert).toBe(`docs/runbooks/${rule.alert}.md`);
      expect(["warning", "critical"], rule.alert).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary, rule.alert).toBeTruthy();
    }
  });

  it("uses only metrics the services register", () => {
    for (const rule of rules) {
      const names = metricNamesIn(rule.expr);
      expect(names.length, rule.alert).toBeGreaterThan(0);
      for (const name of names)
        expect(series.has(name) || PROMETHEUS_OWN.has(name), `${rule.alert}: ${name}`).toBe(true);
    }
  });

  it("metricNamesIn - finds the metrics and nothing else", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (service, le) (rate(proximity_x_bucket{a="b"}[5m]))) > 30 or up{job=~"p.*"} == 0 unless on () foo',
      ),
    ).toEqual(["proximity_x_bucket", "up", "foo"]);
  });
});

describe("deploy/grafana/proximity-dashboard.json", () => {
  it("every panel query uses metrics the services register", async () => {
    const series = await registeredSeries();
    const exprs = dashboard.panels.flatMap((p) =>
      (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })),
    );
    expect(exprs.length).toBeGreaterThan(8);
    for (const { panel, expr } of exprs)
      for (const name of metricNamesIn(expr.replace(/\$__rate_interval|\$__range|\$\w+/g, "5m")))
        expect(series.has(name) || PROMETHEUS_OWN.has(name), `${panel}: ${name}`).toBe(true);
  });
});
