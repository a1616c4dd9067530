/**
 * `aep ingest`: the whole lifecycle in one command — create a batch, upload the files, complete
 * it, wait for the verdict — with progress bars on a terminal, a line per event otherwise, and
 * the final status with its metrics. A failure before COMPLETE aborts the batch (so does Ctrl-C).
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Batch from "@effect-aep/core/Batch"
import * as Ingest from "@effect-aep/core/Ingest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as BatchCommand from "./BatchCommand.js"
import * as BatchView from "./BatchView.js"
import * as Common from "./Common.js"
import { isBatchFailed, UsageError } from "./Failure.js"
import * as LocalFiles from "./LocalFiles.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Table from "./Table.js"

/**
 * `aep ingest`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make(
  "ingest",
  {
    ...Common.options,
    ...BatchCommand.batchOptions,
    format: Options.choice("format", Common.formats).pipe(
      Options.withDescription("How the files are read (default: from their extension: .json/.jsonl/.ndjson, .csv, .parquet)."),
      Options.optional
    ),
    noWait: Options.boolean("no-wait").pipe(
      Options.withDescription("Return once AEP accepted COMPLETE, without waiting for the verdict.")
    ),
    timeout: Common.durationOption("timeout", "How long to wait for the verdict, e.g. 30m (default 1h)."),
    concurrency: Options.integer("concurrency").pipe(
      Options.withDescription("Files uploaded at once, 1-32 (default 4)."),
      Options.withDefault(4)
    ),
    files: Args.text({ name: "FILE" }).pipe(
      Args.withDescription("The files to ingest; each is named in the batch by its file name."),
      Args.atLeast(1)
    )
  },
  (options) =>
    Common.withAep(
      options,
      Effect.gen(function*() {
        const datasetId = yield* Common.datasetId(options.dataset)
        const format = Option.isSome(options.format) ? options.format.value : yield* LocalFiles.inferFormat(options.files)
        if (options.multiline && format !== "json") {
          return yield* new UsageError({ message: `--multiline applies to JSON files only, not ${format}` })
        }
        const files = yield* LocalFiles.load(options.files)
        const output = yield* Output.Output
        const mode: Progress.Mode = options.json ? "json" : output.stdout.isTTY ? "bars" : "lines"
        const batch = yield* Effect.scoped(Effect.gen(function*() {
          const progress = yield* Progress.make(mode, output.stdout, files)
          return yield* Ingest.run({
            ...BatchCommand.createRequest(options, datasetId, format),
            files,
            concurrency: options.concurrency,
            await: options.noWait ? false : { timeout: Option.getOrElse(options.timeout, () => Duration.hours(1)) },
            onEvent: progress.onEvent
          }).pipe(Effect.ensuring(progress.done))
        })).pipe(
          // A failed batch is summed up like a successful one before the command exits with its code.
          Effect.tapError((error) =>
            !isBatchFailed(error)
              ? Effect.void
              : options.json
              // The last line is the final batch, failed or not.
              ? Output.line(JSON.stringify(Progress.toJson(Ingest.Event.Finished({ batch: error.batch }))))
              : summary(error.batch, output.stdout.color)
          )
        )
        if (!options.json) yield* summary(batch, output.stdout.color)
      })
    )
).pipe(
  Command.withDescription(
    Common.help(
      "Ingests files into a dataset in one go: creates a batch, uploads the files (with progress), completes " +
        "the batch and waits for AEP's verdict. Exits 0 on success, 3 if AEP failed the batch. With --json, " +
        "prints one JSON event per line; the last is the final batch.",
      [
        "aep ingest --dataset 5c8c3c555033b814b69f947f people.json",
        "aep ingest -d 5c8c3c555033b814b69f947f --diagnostics --partial 5 exports/*.csv",
        "aep ingest people.json --no-wait --json"
      ]
    )
  )
)

const summary = (batch: Batch.Batch, color: boolean) => {
  const failedRows = batch.failedRecordCount ?? batch.metrics?.failedRecordCount ?? 0
  const headline = Batch.isSuccess(batch.status)
    ? failedRows > 0
      ? `Batch ${batch.id} succeeded, with ${Table.count(failedRows)} failed row(s) (partial ingestion). ` +
        `See them: aep batch errors ${batch.id}`
      : `Batch ${batch.id} succeeded.`
    : Batch.isTerminal(batch.status)
    ? `Batch ${batch.id} ended ${batch.status}.`
    : `Batch ${batch.id} is ${batch.status}. Follow it: aep batch wait ${batch.id}`
  return Output.line(`\n${Table.style(color, "bold", headline)}\n${BatchView.details(batch, color)}`)
}
