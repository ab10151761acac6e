/**
 * OpenTelemetry tracing for Proximity services: a tracer provider per service configured only by
 * the standard OTEL_* variables (off by default), and the W3C trace context helpers that carry a
 * span's context through gRPC metadata and event envelopes.
 */

export type { Context, Span, SpanOptions, Tracer } from "@opentelemetry/api";
export { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
export type { SpanRunOptions } from "./propagation.js";
export {
  contextFromTraceparent,
  ensureIds,
  failSpan,
  inSpan,
  newTraceparent,
  traceIdOf,
  traceparentOf,
} from "./propagation.js";
export type { TelemetrySettings } from "./settings.js";
export { readTelemetrySettings } from "./settings.js";
export type { Telemetry, TelemetryOptions } from "./telemetry.js";
export { createTelemetry, noopTracer, registerContextManager } from "./telemetry.js";
