/**
 * Ingests files into a dataset end to end and prints the final batch: `pnpm ingest [FILE…]`.
 *
 * Without arguments it ingests `examples/data/people.json` (JSON lines). Like
 * `create-batch.ts`, it talks to Adobe when `AEP_*` credentials are in the environment (the
 * dataset from `AEP_DATASET_ID`) and to an in-process emulator otherwise.
 */
import { NodeRuntime } from "@effect/platform-node"
import { Ingest } from "@effect-aep/core"
import { AepNode, FileSource } from "@effect-aep/node"
import { Demo } from "@effect-aep/emulator"
import { Console, DateTime, Effect } from "effect"
import { fileURLToPath } from "node:url"
import { emulatorAep, reportFailure } from "./shared.js"

const useAdobe = ["AEP_ORG_ID", "AEP_API_KEY", "AEP_ACCESS_TOKEN", "AEP_CLIENT_SECRET"].some((name) =>
  (process.env[name] ?? "") !== ""
)
const datasetId = process.env["AEP_DATASET_ID"] ?? (useAdobe ? undefined : Demo.datasetId)
const paths = process.argv.slice(2)
const files = paths.length > 0 ? paths : [fileURLToPath(new URL("data/people.json", import.meta.url))]
const format = files[0]!.endsWith(".csv") ? "csv" : files[0]!.endsWith(".parquet") ? "parquet" : "json"

const describe = (event: Ingest.Event): string =>
  Ingest.Event.$match(event, {
    BatchCreated: ({ batch, totalBytes, totalFiles }) => `created batch ${batch.id} for ${totalFiles} file(s), ${totalBytes} bytes`,
    FileStarted: ({ path, size }) => `  uploading ${path} (${size} bytes)`,
    FileProgress: ({ path, bytesSent, size }) => `  ${path}: ${bytesSent}/${size} bytes`,
    FileUploaded: ({ uploaded, filesDone, totalFiles }) => `  uploaded ${uploaded.path} (${filesDone}/${totalFiles})`,
    BatchCompleted: () => "completed: AEP is processing the batch",
    StatusChanged: ({ batch }) => `  status: ${batch.status}`,
    BatchAborted: ({ batchId }) => `aborted batch ${batchId}`,
    Finished: ({ batch }) => `finished: ${batch.status}`
  })

const program = Effect.gen(function*() {
  if (datasetId === undefined) return yield* Effect.fail("AEP_DATASET_ID is not set: name the dataset to ingest into")
  const sources = yield* Effect.forEach(files, (path) => FileSource.fromPath(path))
  const batch = yield* Ingest.run({
    datasetId,
    inputFormat: { format },
    enableErrorDiagnostics: true,
    files: sources,
    onEvent: (event) => Console.log(describe(event))
  })
  const metrics = batch.metrics
  yield* Console.log(
    [
      ``,
      `Batch ${batch.id}: ${batch.status}`,
      `  records:   ${batch.recordCount ?? 0} ingested, ${batch.failedRecordCount ?? 0} failed`,
      `  metrics:   ${metrics?.inputFileCount ?? 0} file(s), ${metrics?.inputByteSize ?? 0} bytes, ${
        metrics?.inputRecordCount ?? 0
      } rows read`,
      `  started:   ${batch.started === undefined ? "-" : DateTime.formatIso(batch.started)}`,
      `  completed: ${batch.completed === undefined ? "-" : DateTime.formatIso(batch.completed)}`
    ].join("\n")
  )
})

program.pipe(
  Effect.provide(useAdobe ? AepNode.layerConfig : emulatorAep({ processingDelayMillis: 500 }, false)),
  Effect.catchAll(reportFailure),
  NodeRuntime.runMain
)
