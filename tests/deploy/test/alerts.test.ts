import { readFileSync } from "node:fs";
import { join } from "node:path";
import { metricsRegistry } from "@proximity/metrics";
import { beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { environmentOf, readCompose, repositoryRoot } from "../src/compose.js";
import { containersOf, renderKustomization } from "../src/kustomize.js";

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
  await import("../../../packages/proxmox/src/metrics.js");
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

interface ScrapeConfig {
  readonly job_name: string;
  readonly static_configs?: { targets: string[] }[];
  readonly kubernetes_sd_configs?: { role: string; namespaces?: { names: string[] } }[];
  readonly relabel_configs?: {
    source_labels?: string[];
    regex?: string;
    action?: string;
    replacement?: string;
    target_label?: string;
  }[];
}

describe("deploy/prometheus/prometheus.yml", () => {
  const config = parse(readFileSync(join(repositoryRoot, "deploy/prometheus/prometheus.yml"), "utf8")) as {
    rule_files: string[];
    scrape_configs: ScrapeConfig[];
  };

  it("loads the alert rules", () => {
    expect(config.rule_files).toEqual(["alerts.yaml"]);
  });

  it("scrapes every compose service that serves metrics, as job proximity-<service>, and nothing else", () => {
    const { compose } = readCompose();
    const expected = Object.entries(compose.services)
      .map(([name, service]) => [name, environmentOf(service).METRICS_PORT] as const)
      .filter(([, port]) => port && port !== "0")
      .map(([name, port]) => ({ job: `proximity-${name}`, targets: [`${name}:${port}`] }));
    expect(expected.length).toBe(6);
    const statics = config.scrape_configs
      .filter((c) => c.static_configs)
      .map((c) => ({ job: c.job_name, targets: c.static_configs!.flatMap((s) => s.targets) }));
    expect(statics.sort((a, b) => a.job.localeCompare(b.job))).toEqual(
      expected.sort((a, b) => a.job.localeCompare(b.job)),
    );
  });

  it("finds the Kubernetes pods by the annotations every service Deployment carries, named as the alerts expect", () => {
    const job = config.scrape_configs.find((c) => c.kubernetes_sd_configs);
    expect(job?.kubernetes_sd_configs?.[0]?.namespaces?.names).toEqual(["proximity"]);
    const relabel = job?.relabel_configs ?? [];
    expect(relabel).toContainEqual({
      source_labels: ["__meta_kubernetes_pod_annotation_prometheus_io_scrape"],
      regex: "true",
      action: "keep",
    });
    expect(relabel).toContainEqual({
      source_labels: ["__meta_kubernetes_pod_label_app_kubernetes_io_name"],
      replacement: "proximity-$1",
      target_label: "job",
    });
    const deployments = renderKustomization(
      join(repositoryRoot, "deploy/kubernetes/overlays/production"),
    ).filter((o) => o.kind === "Deployment");
    let serving = 0;
    for (const deployment of deployments) {
      const port = containersOf(deployment)
        .flatMap((c) => (c.env as { name: string; value?: string }[] | undefined) ?? [])
        .find((e) => e.name === "METRICS_PORT")?.value;
      if (!port || port === "0") continue;
      serving++;
      const annotations = (
        deployment.spec as { template: { metadata: { annotations?: Record<string, string> } } }
      ).template.metadata.annotations;
      expect(annotations, deployment.metadata.name).toMatchObject({
        "prometheus.io/scrape": "true",
        "prometheus.io/port": port,
        "prometheus.io/path": "/metrics",
      });
    }
    expect(serving).toBe(6);
  });
});
