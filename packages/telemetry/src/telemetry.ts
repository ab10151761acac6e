/**
 * One tracer provider per service, not one global per process: the end-to-end platform runs every
 * service in one process, and each service's spans must name that service. Only the context
 * manager (AsyncLocalStorage) is process-wide, registered once.
 */
import { context, type Tracer, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { OTLPTraceExporter as OtlpGrpcExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BasicTracerProvider,
  BatchSpanProcessor,
  ConsoleSpanExporter,
  ParentBasedSampler,
  type Sampler,
  type SpanExporter,
  TraceIdRatioBasedSampler,
} from "@opentelemetry/sdk-trace-base";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { readTelemetrySettings, type TelemetrySettings } from "./settings.js";

/** A service's tracing: its tracer, and the flush of what it recorded. */
export interface Telemetry {
  /** Spans of this service (no-op spans when tracing is off). */
  readonly tracer: Tracer;
  /** The exporter in use ("none" when tracing is off: nothing is recorded or sent). */
  readonly exporter: TelemetrySettings["exporter"];
  /** Sends the spans still buffered (never rejects: an export failure only loses spans). */
  flush(): Promise<void>;
  /** Flushes and stops the provider (graceful shutdown, last; never rejects). */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** The service's name (resource `service.name`, unless OTEL_SERVICE_NAME says otherwise). */
  readonly service: string;
  readonly version?: string;
  /** Where the OTEL_* variables are read, default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The tracer of a service whose tracing is off (also the default of every instrumented component). */
export const noopTracer: Tracer = trace.getTracer("proximity-noop");

let contextManagerRegistered = false;

/**
 * Registers the AsyncLocalStorage context manager once per process, so the active span follows
 * async calls (and trace ids reach logs and envelopes even with tracing off).
 */
export function registerContextManager(): void {
  if (contextManagerRegistered) return;
  contextManagerRegistered = true;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
}

/**
 * The tracing of one service from the standard OTEL_* variables: off by default (no provider, no
 * exporter); with OTEL_TRACES_EXPORTER=otlp or an OTLP endpoint set, a batching OTLP exporter
 * (HTTP with protobuf or JSON, or gRPC, per OTEL_EXPORTER_OTLP_PROTOCOL) under the service's own resource.
 * @example
 * const telemetry = createTelemetry({ service: "applications" });
 * shutdown.register("telemetry", () => telemetry.shutdown());
 */
export function createTelemetry(options: TelemetryOptions): Telemetry {
  registerContextManager();
  const settings = readTelemetrySettings(options.env ?? process.env);
  const exporter = exporterFor(settings);
  if (!exporter) {
    return { tracer: noopTracer, exporter: "none", flush: async () => {}, shutdown: async () => {} };
  }
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      ...settings.resourceAttributes,
      [ATTR_SERVICE_NAME]: settings.serviceName ?? options.service,
      [ATTR_SERVICE_VERSION]: options.version ?? "0.1.0",
    }),
    sampler: samplerFor(settings.sampler),
    spanProcessors: [
      new BatchSpanProcessor(
        exporter,
        settings.batchDelayMs === undefined ? {} : { scheduledDelayMillis: settings.batchDelayMs },
      ),
    ],
  });
  return {
    tracer: provider.getTracer("@proximity/telemetry", options.version ?? "0.1.0"),
    exporter: settings.exporter,
    // Tracing never fails the service: an unreachable collector only loses spans.
    flush: () => provider.forceFlush().catch(() => undefined),
    shutdown: () => provider.shutdown().catch(() => undefined),
  };
}

function exporterFor(settings: TelemetrySettings): SpanExporter | undefined {
  if (settings.exporter === "console") return new ConsoleSpanExporter();
  if (settings.exporter !== "otlp") return undefined;
  if (settings.protocol === "grpc") return new OtlpGrpcExporter({ url: settings.url });
  return settings.protocol === "http/json"
    ? new OtlpJsonExporter({ url: settings.url })
    : new OtlpProtoExporter({ url: settings.url });
}

function samplerFor({ name, ratio }: TelemetrySettings["sampler"]): Sampler {
  const root = name.endsWith("always_off")
    ? new AlwaysOffSampler()
    : name.endsWith("traceidratio")
      ? new TraceIdRatioBasedSampler(ratio)
      : new AlwaysOnSampler();
  return name.startsWith("parentbased_") ? new ParentBasedSampler({ root }) : root;
}
