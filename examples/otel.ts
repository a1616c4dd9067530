/**
 * Ingests a file with every AEP operation exported as an OpenTelemetry trace:
 * `pnpm tsx examples/otel.ts [FILE…]`.
 *
 * Spans go over OTLP/HTTP (JSON) to `OTEL_EXPORTER_OTLP_ENDPOINT` (default
 * `http://localhost:4318`): an OpenTelemetry Collector, Jaeger, Grafana Tempo, Honeycomb… Each
 * library operation is a span (`Ingest.run`, `Batches.create`, `Files.upload`, …) with `aep.*`
 * attributes (batch id, dataset id, file path, bytes, attempts) and the HTTP requests under it;
 * no token, key or secret is ever an attribute.
 *
 * `@effect/opentelemetry`'s `Otlp` exporter needs only an `HttpClient`, not the OpenTelemetry
 * SDK. Like `ingest-files.ts`, this talks to Adobe when `AEP_*` credentials are in the
 * environment (the dataset from `AEP_DATASET_ID`) and to an in-process emulator otherwise.
 */
import { Otlp } from "@effect/opentelemetry"
import { NodeHttpClient, NodeRuntime } from "@effect/platform-node"
import { Ingest } from "@effect-aep/core"
import { AepNode, FileSource } from "@effect-aep/node"
import { Demo, Emulator } from "@effect-aep/emulator"
import { Console, Effect, Layer } from "effect"
import { fileURLToPath } from "node:url"
import { reportFailure } from "./shared.js"

const useAdobe = ["AEP_ORG_ID", "AEP_API_KEY", "AEP_ACCESS_TOKEN", "AEP_CLIENT_SECRET"].some((name) =>
  (process.env[name] ?? "") !== ""
)
const datasetId = process.env["AEP_DATASET_ID"] ?? (useAdobe ? undefined : Demo.datasetId)
const paths = process.argv.slice(2)
const files = paths.length > 0 ? paths : [fileURLToPath(new URL("data/people.json", import.meta.url))]

// The exporter: batches spans and sends them every second, and flushes when the program ends.
const Tracing = Otlp.layerJson({
  baseUrl: process.env["OTEL_EXPORTER_OTLP_ENDPOINT"] ?? "http://localhost:4318",
  resource: { serviceName: process.env["OTEL_SERVICE_NAME"] ?? "aep-ingest", serviceVersion: "0.1.0" },
  tracerExportInterval: "1 second"
}).pipe(Layer.provide(NodeHttpClient.layerUndici))

// The emulator stands in for Adobe: its own server spans are not part of this program's trace.
const EmulatorAep = Layer.unwrapScoped(
  Effect.map(Emulator.start({ processingDelayMillis: 200 }).pipe(Effect.withTracerEnabled(false)), (emulator) =>
    AepNode.layer({ platformUrl: emulator.url, orgId: Demo.orgId, apiKey: Demo.apiKey, accessToken: Demo.accessToken }))
)

const program = Effect.gen(function*() {
  if (datasetId === undefined) return yield* Effect.fail("AEP_DATASET_ID is not set: name the dataset to ingest into")
  const sources = yield* Effect.forEach(files, (path) => FileSource.fromPath(path))
  const batch = yield* Ingest.run({ datasetId, inputFormat: { format: "json" }, files: sources })
  yield* Console.log(`batch ${batch.id}: ${batch.status}, ${batch.recordCount ?? 0} records`)
}).pipe(
  // Your own span around the library's: the trace's root.
  Effect.withSpan("nightly-ingest", { attributes: { "app.files": files.length } })
)

program.pipe(
  Effect.provide(useAdobe ? AepNode.layerConfig : EmulatorAep),
  Effect.catchAll(reportFailure),
  // Outermost, so that the exporter outlives the program and sends its last spans.
  Effect.provide(Tracing),
  NodeRuntime.runMain
)
