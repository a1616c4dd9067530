/**
 * `aep batch …`: one step of a batch's life at a time — create, upload, complete, abort, revert —
 * and what AEP knows about batches — get, list, wait, errors.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as Batch from "@effect-aep/core/Batch"
import * as Batches from "@effect-aep/core/Batches"
import type * as CreateBatchRequest from "@effect-aep/core/CreateBatchRequest"
import * as Diagnostics from "@effect-aep/core/Diagnostics"
import * as Files from "@effect-aep/core/Files"
import * as Ingest from "@effect-aep/core/Ingest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Stream from "effect/Stream"
import * as BatchView from "./BatchView.js"
import * as Common from "./Common.js"
import { isBatchFailed, UsageError } from "./Failure.js"
import * as LocalFiles from "./LocalFiles.js"
import * as Output from "./Output.js"
import * as Progress from "./Progress.js"
import * as Table from "./Table.js"

const batchId = Args.text({ name: "BATCH_ID" }).pipe(Args.withDescription("The batch id, as 'aep batch create' printed it."))

/**
 * The options that describe a new batch (`aep batch create` and `aep ingest`).
 *
 * @since 0.1.0
 * @category options
 */
export const batchOptions = {
  dataset: Common.dataset,
  multiline: Options.boolean("multiline").pipe(
    Options.withDescription("JSON only: each file is one document spread over several lines (isMultiLineJson).")
  ),
  diagnostics: Options.boolean("diagnostics").pipe(
    Options.withDescription("Keep row-level diagnostics of failed rows, for 'aep batch errors'.")
  ),
  partial: Options.float("partial").pipe(
    Options.withDescription("Partial ingestion: accept the batch if at most PERCENT (0-100) of its rows fail."),
    Options.optional
  ),
  externalId: Options.text("external-id").pipe(Options.withDescription("Your own id for the batch."), Options.optional),
  tags: Common.tags
}

/**
 * What `batchOptions` parse to.
 *
 * @since 0.1.0
 * @category models
 */
export interface BatchOptions {
  readonly multiline: boolean
  readonly diagnostics: boolean
  readonly partial: Option.Option<number>
  readonly externalId: Option.Option<string>
  readonly tags: Record<string, Array<string>>
}

/**
 * The create request those options describe.
 *
 * @since 0.1.0
 * @category constructors
 */
export const createRequest = (
  options: BatchOptions,
  datasetId: string,
  format: CreateBatchRequest.Format | undefined
): CreateBatchRequest.Input => {
  const chosen = format ?? (options.multiline ? "json" : undefined)
  return {
    datasetId,
    ...(chosen === undefined ? {} : { inputFormat: { format: chosen, ...(options.multiline ? { isMultiLineJson: true } : {}) } }),
    ...(options.diagnostics ? { enableErrorDiagnostics: true } : {}),
    ...(Option.isSome(options.partial) ? { partialIngestionPercentage: options.partial.value } : {}),
    ...(Option.isSome(options.externalId) ? { externalId: options.externalId.value } : {}),
    ...(Object.keys(options.tags).length === 0 ? {} : { tags: options.tags })
  }
}

const color = Effect.map(Output.Output, (output) => output.stdout.color)

const printBatch = (common: Common.Common, batch: Batch.Batch) =>
  common.json
    ? Common.printJson(BatchView.toJson(batch))
    : Effect.flatMap(color, (color) => Output.line(BatchView.details(batch, color)))

const create = Command.make(
  "create",
  {
    ...Common.options,
    ...batchOptions,
    format: Options.choice("format", Common.formats).pipe(
      Options.withDescription("How the files are read: json (JSON lines), parquet or csv. AEP's default: parquet."),
      Options.optional
    ),
    quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("Print only the batch id."))
  },
  (options) =>
    Common.withAep(
      options,
      Effect.gen(function*() {
        const datasetId = yield* Common.datasetId(options.dataset)
        const batch = yield* Batches.create(createRequest(options, datasetId, Option.getOrUndefined(options.format)))
        if (options.quiet) return yield* Output.line(batch.id)
        yield* printBatch(options, batch)
        if (!options.json) {
          yield* Output.errorLine(`\nNext: aep batch upload ${batch.id} FILE…   then: aep batch complete ${batch.id}`)
        }
      })
    )
).pipe(
  Command.withDescription(
    Common.help(
      "Creates a batch in a dataset. The batch starts 'loading': upload its files, then complete it.",
      [
        "aep batch create --dataset 5c8c3c555033b814b69f947f --format json",
        "aep batch create -d 5c8c3c555033b814b69f947f --format csv --diagnostics --partial 5 --tag source=crm",
        "BATCH=$(aep batch create -d 5c8c3c555033b814b69f947f --format json --quiet)"
      ]
    )
  )
)

const upload = Command.make(
  "upload",
  {
    ...Common.options,
    dataset: Common.dataset,
    concurrency: Options.integer("concurrency").pipe(
      Options.withDescription("Files uploaded at once (default 4)."),
      Options.withDefault(4)
    ),
    batchId,
    files: Args.text({ name: "FILE" }).pipe(
      Args.withDescription("Files to upload; each is named in the batch by its file name."),
      Args.atLeast(1)
    )
  },
  (options) =>
    Common.withAep(
      options,
      Effect.gen(function*() {
        if (options.concurrency < 1 || options.concurrency > 32) {
          return yield* new UsageError({ message: "--concurrency must be from 1 to 32" })
        }
        const sources = yield* LocalFiles.load(options.files)
        // The batch knows its dataset: --dataset only saves reading it.
        const datasetId = Option.isSome(options.dataset)
          ? options.dataset.value
          : yield* Effect.flatMap(Batches.get(options.batchId), (batch) =>
            batch.datasetId === undefined
              ? new UsageError({ message: `batch ${batch.id} names no dataset: give --dataset` })
              : Effect.succeed(batch.datasetId))
        const output = yield* Output.Output
        const mode: Progress.Mode = output.stdout.isTTY ? "bars" : "lines"
        const totalBytes = sources.reduce((sum, source) => sum + source.size, 0)
        const uploaded = yield* Effect.scoped(Effect.gen(function*() {
          const progress = options.json ? undefined : yield* Progress.make(mode, output.stdout, sources)
          const emit = (event: Ingest.Event) => (progress === undefined ? Effect.void : progress.onEvent(event))
          const sent = new Map<string, number>()
          let done = 0
          return yield* Effect.forEach(
            sources,
            (source) =>
              emit(Ingest.Event.FileStarted({ path: source.path, size: source.size })).pipe(
                Effect.zipRight(Files.upload(options.batchId, datasetId, source, {
                  onProgress: (p) => {
                    sent.set(p.path, p.bytesSent)
                    const totalBytesSent = [...sent.values()].reduce((sum, n) => sum + n, 0)
                    return emit(Ingest.Event.FileProgress({ ...p, totalBytesSent, totalBytes }))
                  }
                })),
                Effect.tap((file) =>
                  emit(Ingest.Event.FileUploaded({ uploaded: file, filesDone: ++done, totalFiles: sources.length }))
                )
              ),
            { concurrency: options.concurrency }
          )
        }))
        if (options.json) {
          return yield* Common.printJson({
            batchId: options.batchId,
            datasetId,
            files: uploaded.map((file) => ({ path: file.path, size: file.size, method: file.method, chunks: file.chunks }))
          })
        }
        yield* Output.line(
          `\n${
            Table.table(
              ["file", "size", "upload"],
              uploaded.map((file) => [file.path, Table.bytes(file.size), file.method === "put" ? "one PUT" : `${file.chunks} chunks`])
            )
          }`
        )
        yield* Output.errorLine(`\nNext: aep batch complete ${options.batchId}`)
      })
    )
).pipe(
  Command.withDescription(
    Common.help(
      "Uploads files into a batch that is 'loading'. Files above 256 MB go through the large-file protocol in chunks.",
      [
        "aep batch upload $BATCH people.json",
        "aep batch upload $BATCH --dataset 5c8c3c555033b814b69f947f part-*.json"
      ]
    )
  )
)

const signal = (name: "complete" | "abort" | "revert", summary: string, action: (id: string) => Effect.Effect<void, any, any>) =>
  Command.make(name, { ...Common.options, batchId }, (options) =>
    Common.withAep(
      options,
      Effect.gen(function*() {
        yield* action(options.batchId)
        const batch = yield* Batches.get(options.batchId)
        if (options.json) return yield* Common.printJson(BatchView.toJson(batch))
        yield* Output.line(`${name.toUpperCase()} accepted: batch ${batch.id} is now ${BatchView.status(batch.status, yield* color)}`)
        if (name === "complete") yield* Output.errorLine(`\nNext: aep batch wait ${batch.id}`)
      })
    )).pipe(Command.withDescription(Common.help(summary, [`aep batch ${name} $BATCH`])))

const complete = signal(
  "complete",
  "Signals that every file is uploaded: AEP starts processing the batch. Prints the status afterwards.",
  Batches.complete
)
const abort = signal("abort", "Abandons a batch that is not final yet; none of its files are ingested.", Batches.abort)
const revert = signal(
  "revert",
  "Deletes the data a successful batch ingested (the batch becomes 'inactive', then 'deleted').",
  Batches.revert
)

const get = Command.make("get", { ...Common.options, batchId }, (options) =>
  Common.withAep(options, Effect.flatMap(Batches.get(options.batchId), (batch) => printBatch(options, batch)))).pipe(
    Command.withDescription(
      Common.help("Shows a batch as the Catalog describes it: status, times, record counts, errors.", [
        "aep batch get $BATCH",
        "aep batch get $BATCH --json"
      ])
    )
  )

const statuses = Batch.KnownStatus.literals

const list = Command.make(
  "list",
  {
    ...Common.options,
    dataset: Options.text("dataset").pipe(
      Options.withAlias("d"),
      Options.withDescription("Only batches of this dataset."),
      Options.optional
    ),
    status: Options.text("status").pipe(
      Options.withDescription(`Only batches in these statuses, comma-separated (${statuses.join(", ")}).`),
      Options.mapEffect((text) => {
        const wanted = text.split(",").map((s) => s.trim().toLowerCase()).filter((s) => s !== "")
        const unknown = wanted.filter((s) => !(statuses as ReadonlyArray<string>).includes(s))
        return unknown.length > 0 || wanted.length === 0
          ? Effect.fail(Common.invalid(`--status takes ${statuses.join(", ")}; got '${text}'`))
          : Effect.succeed(wanted as Array<Batch.KnownStatus>)
      }),
      Options.optional
    ),
    since: Options.text("since").pipe(
      Options.withDescription("Only batches created since: a duration back from now (24h, 7d) or a date (2026-05-01)."),
      Options.optional
    ),
    limit: Options.integer("limit").pipe(
      Options.withDescription("At most this many batches, newest first (default 20)."),
      Options.withDefault(20)
    ),
    quiet: Options.boolean("quiet").pipe(Options.withAlias("q"), Options.withDescription("Print only the batch ids, one a line."))
  },
  (options) =>
    Common.withAep(
      options,
      Effect.gen(function*() {
        if (options.limit < 1) return yield* new UsageError({ message: "--limit must be 1 or more" })
        let createdAfter: number | undefined
        if (Option.isSome(options.since)) {
          createdAfter = Common.parseSince(options.since.value, yield* Clock.currentTimeMillis)
          if (createdAfter === undefined) {
            return yield* new UsageError({
              message: `--since must be a duration (24h, 7d) or a date (2026-05-01); got '${options.since.value}'`
            })
          }
        }
        const status = Option.getOrUndefined(options.status)
        const batches = yield* Batches.list({
          ...(Option.isSome(options.dataset) ? { datasetId: options.dataset.value } : {}),
          ...(status === undefined
            ? {}
            : { status: status.length === 1 ? status[0]! : (status as [Batch.KnownStatus, ...Array<Batch.KnownStatus>]) }),
          ...(createdAfter === undefined ? {} : { createdAfter }),
          orderBy: { field: "created", direction: "desc" },
          pageSize: Math.min(options.limit, 100)
        }).pipe(Stream.take(options.limit), Stream.runCollect, Effect.map(Chunk.toReadonlyArray))
        if (options.json) return yield* Common.printJson(batches.map(BatchView.toJson))
        if (options.quiet) return yield* Effect.forEach(batches, (batch) => Output.line(batch.id), { discard: true })
        if (batches.length === 0) return yield* Output.line("No batches.")
        const useColor = yield* color
        yield* Output.line(Table.table(BatchView.listHeaders, batches.map((batch) => BatchView.listRow(batch, useColor))))
      })
    )
).pipe(
  Command.withDescription(
    Common.help("Lists batches, newest first.", [
      "aep batch list",
      "aep batch list --dataset 5c8c3c555033b814b69f947f --status failed --since 24h",
      "aep batch list --status success,failed --limit 100 --json",
      "FAILED=$(aep batch list --status failed --limit 1 --quiet)"
    ])
  )
)

const wait = Command.make(
  "wait",
  {
    ...Common.options,
    timeout: Common.durationOption("timeout", "Give up after this long, e.g. 90s, 10m, 2h (default 1h)."),
    batchId
  },
  (options) =>
    Common.withAep(
      options,
      Effect.gen(function*() {
        const useColor = yield* color
        const final = yield* Batches.awaitCompletion(options.batchId, {
          timeout: Option.getOrElse(options.timeout, () => Duration.hours(1)),
          onStatus: (batch) => (options.json ? Effect.void : Output.errorLine(`status: ${BatchView.status(batch.status, useColor)}`))
        }).pipe(
          // A failed batch is shown like a successful one before the command exits with its code.
          Effect.tapError((error) => (isBatchFailed(error) ? printBatch(options, error.batch) : Effect.void))
        )
        yield* printBatch(options, final)
      })
    )
).pipe(
  Command.withDescription(
    Common.help(
      "Waits until the batch reaches a final status, then shows it. Exits 0 on success, 3 if the batch failed, 5 on timeout.",
      ["aep batch wait $BATCH", "aep batch wait $BATCH --timeout 10m --json"]
    )
  )
)

const errors = Command.make("errors", { ...Common.options, batchId }, (options) =>
  Common.withAep(
    options,
    Effect.gen(function*() {
      const batch = yield* Batches.get(options.batchId)
      const found = yield* Diagnostics.get(options.batchId)
      if (options.json) return yield* Common.printJson(BatchView.diagnosticsJson(batch, found))
      yield* Output.line(BatchView.diagnostics(batch, found, yield* color))
    })
  )).pipe(
    Command.withDescription(
      Common.help(
        "Shows why a batch failed: the errors AEP recorded, the files that failed, and each row it could not " +
          "read (for batches created with --diagnostics).",
        ["aep batch errors $BATCH", "aep batch errors $BATCH --json"]
      )
    )
  )

/**
 * `aep batch`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("batch").pipe(
  Command.withDescription("Create, upload, complete, abort, revert, inspect and list batches."),
  Command.withSubcommands([create, upload, complete, abort, revert, get, list, wait, errors])
)
