/**
 * The whole lifecycle in one call: create a batch, upload its files with bounded concurrency,
 * complete it, and wait for the verdict. If anything fails before COMPLETE was accepted, or the
 * fiber is interrupted, the batch is aborted: no half-uploaded batch is left `loading`.
 *
 * Progress is observable as a callback (`onEvent`) or as a `Stream` of events (`stream`), enough
 * to draw per-file and overall progress bars.
 *
 * @since 0.1.0
 */
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Mailbox from "effect/Mailbox"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AepClient from "./AepClient.js"
import { type AepError, type AepTimeoutError, AepValidationError, Issue } from "./AepError.js"
import type * as Batch from "./Batch.js"
import type { BatchFailed } from "./BatchFailed.js"
import * as Batches from "./Batches.js"
import * as CreateBatchRequest from "./CreateBatchRequest.js"
import * as Files from "./Files.js"

/**
 * What happens during an ingest, in order.
 *
 * @since 0.1.0
 * @category models
 */
export type Event = Data.TaggedEnum<{
  /** The batch exists (status `loading`). */
  BatchCreated: { readonly batch: Batch.Batch; readonly totalBytes: number; readonly totalFiles: number }
  FileStarted: { readonly path: string; readonly size: number }
  /** Bytes of one file sent so far, and of all files. */
  FileProgress: {
    readonly path: string
    readonly bytesSent: number
    readonly size: number
    readonly totalBytesSent: number
    readonly totalBytes: number
  }
  FileUploaded: { readonly uploaded: Files.Uploaded; readonly filesDone: number; readonly totalFiles: number }
  /** COMPLETE was accepted: AEP is processing the batch. */
  BatchCompleted: { readonly batchId: string }
  /** The batch was read with a new status while waiting. */
  StatusChanged: { readonly batch: Batch.Batch }
  /** Something failed (or the ingest was interrupted) before COMPLETE: the batch was aborted. */
  BatchAborted: { readonly batchId: string }
  /** The ingest is over; `batch` is its final state (or the state after COMPLETE with `await: false`). */
  Finished: { readonly batch: Batch.Batch }
}>

/**
 * Constructors and matchers for `Event`.
 *
 * @since 0.1.0
 * @category models
 */
export const Event = Data.taggedEnum<Event>()

/**
 * @since 0.1.0
 * @category models
 */
export interface Options<E = never, R = never, R2 = never> extends CreateBatchRequest.Input {
  readonly files: ReadonlyArray<Files.FileSource<E, R>>
  /** Files uploaded at once, 1–32 (default 4). */
  readonly concurrency?: number | undefined
  readonly upload?: Omit<Files.UploadOptions, "onProgress"> | undefined
  /** How to wait for the verdict, or `false` to return once COMPLETE was accepted. */
  readonly await?: false | Omit<Batches.AwaitOptions, "onStatus"> | undefined
  readonly onEvent?: ((event: Event) => Effect.Effect<void, never, R2>) | undefined
}

/**
 * Every way an ingest can fail.
 *
 * @since 0.1.0
 * @category errors
 */
export type IngestError<E> = AepError | BatchFailed | AepTimeoutError | E

const Concurrency = Schema.Int.pipe(Schema.between(1, 32, { message: () => "must be a whole number from 1 to 32" }))

// Everything that can be known wrong before the first request.
const validate = <E, R>(options: Options<E, R, any>) =>
  Effect.gen(function*() {
    const operation = "Ingest.run"
    const fail = (field: string, message: string) =>
      new AepValidationError({ operation, field, issues: [new Issue({ path: field, message })] })
    const { files, concurrency, upload, await: _await, onEvent: _onEvent, ...create } = options
    const request = yield* AepClient.validate(operation, CreateBatchRequest.CreateBatchRequest, create)
    if (concurrency !== undefined) yield* AepClient.validate(operation, Schema.Struct({ concurrency: Concurrency }), { concurrency })
    if (files.length === 0) return yield* fail("files", "must hold at least one file")
    if (files.length > Files.limits.filesPerBatch) {
      return yield* fail("files", `holds ${files.length} files; a batch holds at most ${Files.limits.filesPerBatch}`)
    }
    const seen = new Set<string>()
    let totalBytes = 0
    for (const [index, file] of files.entries()) {
      yield* Files.validate(operation, { batchId: "pending", datasetId: request.datasetId, path: file.path, size: file.size }, upload).pipe(
        Effect.mapError((error) =>
          new AepValidationError({
            operation,
            field: `files[${index}].${error.field}`,
            issues: error.issues.map((issue) => new Issue({ path: `files[${index}].${issue.path}`, message: issue.message }))
          })
        )
      )
      if (seen.has(file.path)) return yield* fail(`files[${index}].path`, `${file.path} is listed twice`)
      seen.add(file.path)
      totalBytes += file.size
    }
    if (totalBytes > Files.limits.batchBytes) {
      return yield* fail("files", `hold ${totalBytes} bytes; a batch holds at most ${Files.limits.batchBytes}`)
    }
    return { request, totalBytes }
  })

/**
 * Creates a batch, uploads `files` into it, completes it and waits for its final status.
 * Succeeds with the final batch (a partially ingested batch succeeds, with its errors);
 * fails with `BatchFailed` if AEP failed it.
 *
 * @example
 * ```ts
 * import { Files, Ingest } from "@effect-aep/core"
 *
 * const batch = Ingest.run({
 *   datasetId: "5c8c3c555033b814b69f947f",
 *   inputFormat: { format: "json" },
 *   files: [Files.fromBytes("people.json", new TextEncoder().encode('{"name":"Ada"}\n'))]
 * })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const run: <E = never, R = never, R2 = never>(
  options: Options<E, R, R2>
) => Effect.Effect<Batch.Batch, IngestError<E>, AepClient.AepClient | R | R2> = Effect.fn("Ingest.run")(
  function*<E = never, R = never, R2 = never>(options: Options<E, R, R2>) {
    const { totalBytes } = yield* validate(options)
    const emit = (event: Event) => (options.onEvent === undefined ? Effect.void : options.onEvent(event))
    const { files, concurrency, upload, await: awaitOptions, onEvent: _, ...create } = options
    // An interruption must find the abort in place as soon as the batch exists: between the
    // create's answer and the guard below there is no point where the fiber can be interrupted.
    const batch = yield* Effect.uninterruptibleMask((restore) =>
      Effect.gen(function*() {
        const batch = yield* restore(Batches.create(create))
        const sentPerFile = new Map<string, number>()
        let totalSent = 0
        let filesDone = 0
        let completed = false
        const uploadOne = (source: Files.FileSource<E, R>) =>
          Effect.zipRight(
            emit(Event.FileStarted({ path: source.path, size: source.size })),
            Files.upload(batch.id, batch.datasetId ?? create.datasetId, source, {
              ...upload,
              onProgress: (progress) => {
                totalSent += progress.bytesSent - (sentPerFile.get(progress.path) ?? 0)
                sentPerFile.set(progress.path, progress.bytesSent)
                return emit(Event.FileProgress({ ...progress, totalBytesSent: totalSent, totalBytes }))
              }
            })
          ).pipe(
            Effect.tap((uploaded) => {
              filesDone++
              return emit(Event.FileUploaded({ uploaded, filesDone, totalFiles: files.length }))
            })
          )

        yield* restore(Effect.gen(function*() {
          yield* Effect.annotateCurrentSpan({ "aep.batch_id": batch.id, "aep.file_count": files.length, "aep.bytes": totalBytes })
          yield* emit(Event.BatchCreated({ batch, totalBytes, totalFiles: files.length }))
          yield* Effect.forEach(files, uploadOne, { concurrency: concurrency ?? 4, discard: true })
          yield* Batches.complete(batch.id)
          completed = true
          yield* emit(Event.BatchCompleted({ batchId: batch.id }))
        })).pipe(
          // Whatever went wrong before COMPLETE (an error, a defect, an interruption, also while
          // a progress callback ran), the batch must not stay `loading` with half its files.
          Effect.onExit(() =>
            completed
              ? Effect.void
              : Batches.abort(batch.id).pipe(
                Effect.zipRight(emit(Event.BatchAborted({ batchId: batch.id }))),
                Effect.catchAllCause((cause) => Effect.logWarning(`Ingest: could not abort batch ${batch.id}`, cause))
              )
          )
        )
        return batch
      })
    )

    if (awaitOptions === false) {
      const current = yield* Batches.get(batch.id)
      yield* emit(Event.Finished({ batch: current }))
      return current
    }
    const final = yield* Batches.awaitCompletion(batch.id, {
      ...awaitOptions,
      onStatus: (current) => emit(Event.StatusChanged({ batch: current }))
    })
    yield* emit(Event.Finished({ batch: final }))
    return final
  }
)

/**
 * `run` as a stream of its events, ending with `Finished`. Stopping the stream early interrupts
 * the ingest (aborting the batch if it was not completed yet).
 *
 * @since 0.1.0
 * @category operations
 */
export const stream = <E = never, R = never>(
  options: Omit<Options<E, R>, "onEvent">
): Stream.Stream<Event, IngestError<E>, AepClient.AepClient | R> =>
  Stream.unwrapScoped(Effect.gen(function*() {
    const mailbox = yield* Mailbox.make<Event, IngestError<E>>()
    yield* run<E, R>({ ...options, onEvent: (event) => Effect.asVoid(mailbox.offer(event)) }).pipe(
      Mailbox.into(mailbox),
      Effect.forkScoped
    )
    return Mailbox.toStream(mailbox)
  }))
