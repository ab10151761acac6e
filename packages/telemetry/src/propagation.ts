/**
 * W3C trace context between the spans of this process and the `traceparent` strings carried by
 * gRPC metadata and event envelopes. Works the same with tracing off: the no-op spans keep their
 * parent's ids, and a root without one gets fresh random ids, so logs and envelopes always carry a
 * trace id.
 */
import {
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  type SpanOptions,
  SpanStatusCode,
  TraceFlags,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { randomHexId } from "./random-ids.js";

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** A fresh W3C traceparent (version 00, sampled). */
export function newTraceparent(): string {
  return `00-${randomHexId(16)}-${randomHexId(8)}-01`;
}

/** The W3C traceparent of a span context (or of the active span); undefined when it has none. */
export function traceparentOf(from: Context | Span = context.active()): string | undefined {
  const sc = "spanContext" in from ? from.spanContext() : trace.getSpanContext(from);
  if (!sc || !isSpanContextValid(sc)) return undefined;
  return `00-${sc.traceId}-${sc.spanId}-${(sc.traceFlags & TraceFlags.SAMPLED ? 1 : 0).toString(16).padStart(2, "0")}`;
}

/** The 32-hex trace id of a traceparent, for logs. */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent?.split("-")[1];
}

/**
 * A context whose (remote) parent is `traceparent`; `base` unchanged when it is missing or
 * malformed (all-zero ids included).
 */
export function contextFromTraceparent(
  traceparent: string | undefined,
  base: Context = ROOT_CONTEXT,
): Context {
  const m = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!m) return base;
  const sc: SpanContext = {
    traceId: m[1]!,
    spanId: m[2]!,
    traceFlags: Number.parseInt(m[3]!, 16) & TraceFlags.SAMPLED,
    isRemote: true,
  };
  return isSpanContextValid(sc) ? trace.setSpanContext(base, sc) : base;
}

/** Where a span's parent comes from: the active context (default), or an explicit one. */
export interface SpanRunOptions extends SpanOptions {
  readonly parent?: Context;
}

/**
 * Runs `fn` inside a new active span and ends it: an error thrown marks it failed (ERROR status,
 * the exception recorded) and is rethrown. With tracing off and no parent, the span gets fresh
 * random ids anyway (see ensureIds), so the trace id logged and propagated is never empty.
 * @example
 * await inSpan(tracer, "deploy", { attributes: { "proximity.operation.kind": "deploy" } }, async (span) => …);
 */
export function inSpan<T>(
  tracer: Tracer,
  name: string,
  options: SpanRunOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const { parent, ...spanOptions } = options;
  const span = ensureIds(tracer.startSpan(name, spanOptions, parent ?? context.active()));
  const ctx = trace.setSpan(parent ?? context.active(), span);
  return context.with(ctx, async () => {
    try {
      return await fn(span);
    } catch (err) {
      failSpan(span, err);
      throw err;
    } finally {
      span.end();
    }
  });
}

/** Marks a span failed by `err` (exception event, ERROR status with the error's name). */
export function failSpan(span: Span, err: unknown): void {
  if (!span.isRecording()) return;
  if (err instanceof Error) span.recordException(err);
  span.setStatus({ code: SpanStatusCode.ERROR, message: err instanceof Error ? err.name : "error" });
}

/**
 * The span itself when its context is valid; else (a no-op tracer's root span) a non-recording span
 * with fresh random ids, so that logs and the traceparents sent on carry one trace id.
 */
export function ensureIds(span: Span): Span {
  if (isSpanContextValid(span.spanContext())) return span;
  return trace.wrapSpanContext({
    traceId: randomHexId(16),
    spanId: randomHexId(8),
    traceFlags: TraceFlags.SAMPLED,
  });
}
