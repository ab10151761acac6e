/**
 * Test helpers: a tracer that keeps every ended span in memory, for tests that check which spans a
 * component makes and how they link (no exporter, no network).
 */
import type { Tracer } from "@opentelemetry/api";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { registerContextManager } from "./telemetry.js";

/** A recording tracer and the spans it ended so far. */
export interface RecordingTracer {
  readonly tracer: Tracer;
  spans(): ReadableSpan[];
}

/** A tracer whose ended spans `spans()` returns (sampled always, exported synchronously). */
export function recordingTracer(): RecordingTracer {
  registerContextManager();
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  return { tracer: provider.getTracer("test"), spans: () => exporter.getFinishedSpans() };
}
