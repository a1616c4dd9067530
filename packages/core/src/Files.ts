/**
 * Uploading a batch's files. A file up to `largeFileThreshold` goes in one streamed `PUT`; a
 * larger one through the large-file protocol (INITIALIZE, `PATCH` chunks with `Content-Range`,
 * COMPLETE). Either way bytes are read and sent as they stream: memory holds at most one chunk
 * per file being uploaded, whatever the file's size. A chunk is kept until AEP accepted it, so a
 * retried chunk resends the very same bytes.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Deferred from "effect/Deferred"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AepClient from "./AepClient.js"
import { type AepError, AepValidationError, Issue } from "./AepError.js"
import * as CreateBatchRequest from "./CreateBatchRequest.js"
import * as FilePath from "./FilePath.js"
import { rechunk, tapBytes } from "./internal/rechunk.js"

const MiB = 1024 * 1024

/**
 * The documented limits.
 *
 * @since 0.1.0
 * @category constants
 */
export const limits = {
  /** Files one batch may hold. */
  filesPerBatch: 1500,
  /** Bytes one batch may hold (100 GB). */
  batchBytes: 100 * 1024 * MiB,
  /** The largest body a single `PUT` may carry (256 MB; one docs page says 512). */
  smallFileBytes: 256 * MiB
} as const

/**
 * A file to upload: its name inside the batch, its size, and its bytes. `stream` must deliver
 * exactly `size` bytes and should be re-runnable (each run reading from the start) so that a
 * request can be sent again.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileSource<E = never, R = never> {
  /** The name inside the batch; directories are kept (`part=a/file.json`). */
  readonly path: string
  readonly size: number
  readonly stream: Stream.Stream<Uint8Array, E, R>
}

/**
 * A file source from bytes in memory.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromBytes = (path: string, bytes: Uint8Array): FileSource => ({
  path,
  size: bytes.length,
  stream: Stream.succeed(bytes)
})

/**
 * How far the upload of one file is.
 *
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly path: string
  readonly bytesSent: number
  readonly size: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface UploadOptions<R = never> {
  /** Files larger than this use the large-file protocol. Default and maximum: 256 MB. */
  readonly largeFileThreshold?: number | undefined
  /** The size of each `PATCH` of a large file. Default 8 MiB: memory holds one chunk per file in flight (kept for a retry). */
  readonly chunkSize?: number | undefined
  /** Told after each piece of the file is sent. */
  readonly onProgress?: ((progress: Progress) => Effect.Effect<void, never, R>) | undefined
}

/**
 * What was uploaded.
 *
 * @since 0.1.0
 * @category models
 */
export interface Uploaded {
  readonly path: FilePath.FilePath
  readonly size: number
  /** `put` for one request, `chunked` for the large-file protocol. */
  readonly method: "put" | "chunked"
  readonly chunks: number
}

const Options = Schema.Struct({
  batchId: CreateBatchRequest.Id,
  datasetId: CreateBatchRequest.Id,
  path: FilePath.FilePath,
  size: Schema.Int.pipe(
    Schema.nonNegative({ message: () => "must be a whole number of bytes, 0 or more" }),
    Schema.lessThanOrEqualTo(limits.batchBytes, { message: () => "must be at most 100 GB, the most a batch holds" })
  ),
  largeFileThreshold: Schema.Int.pipe(
    Schema.between(1, limits.smallFileBytes, { message: () => `must be between 1 and ${limits.smallFileBytes} bytes` })
  ),
  chunkSize: Schema.Int.pipe(
    Schema.between(1, 1024 * MiB, { message: () => "must be between 1 byte and 1 GB" })
  )
})

/**
 * Checks what `upload` would be given, without sending anything.
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = (
  operation: string,
  input: { batchId: string; datasetId: string; path: string; size: number },
  options: UploadOptions<any> = {}
) =>
  AepClient.validate(operation, Options, {
    ...input,
    largeFileThreshold: options.largeFileThreshold ?? limits.smallFileBytes,
    chunkSize: options.chunkSize ?? 8 * MiB
  })

const fileUrl = (batchId: string, datasetId: string, path: FilePath.FilePath) =>
  `/data/foundation/import/batches/${batchId}/datasets/${datasetId}/files/${FilePath.toUrlPath(path)}`

// The stream delivered other than `size` bytes: the source is wrong, not AEP.
const sizeMismatch = (operation: string, path: string, size: number, actual: number) =>
  new AepValidationError({
    operation,
    field: "size",
    issues: [new Issue({ path: "size", message: `${path}: the stream delivered ${actual} bytes, size says ${size}` })]
  })

/**
 * Uploads one file into a batch that is `loading`.
 *
 * @since 0.1.0
 * @category operations
 */
export const upload: <E, R, R2 = never>(
  batchId: string,
  datasetId: string,
  source: FileSource<E, R>,
  options?: UploadOptions<R2>
) => Effect.Effect<Uploaded, AepError | E, AepClient.AepClient | R | R2> = Effect.fn("Files.upload")(
  function*<E, R, R2 = never>(batchId: string, datasetId: string, source: FileSource<E, R>, options: UploadOptions<R2> = {}) {
    const operation = "Files.upload"
    const checked = yield* validate(operation, { batchId, datasetId, path: source.path, size: source.size }, options)
    yield* Effect.annotateCurrentSpan({
      "aep.batch_id": checked.batchId,
      "aep.dataset_id": checked.datasetId,
      "aep.file_path": checked.path,
      "aep.file_bytes": checked.size
    })
    const client = yield* AepClient.AepClient
    const url = fileUrl(checked.batchId, checked.datasetId, checked.path)
    const report = (bytesSent: number) =>
      options.onProgress === undefined ? Effect.void : options.onProgress({ path: checked.path, bytesSent, size: checked.size })

    if (checked.size <= checked.largeFileThreshold) {
      let sent = 0
      // The HTTP client reports a failing body as a transport error, which the client would
      // retry. A failing source is not the network: its own error ends the upload at once (no
      // retry re-reads a broken source) and surfaces with its type.
      const sourceFailed = yield* Deferred.make<never, E | AepValidationError>()
      const body = Stream.suspend(() => {
        sent = 0
        return tapBytes(source.stream, (total) => {
          sent = total
          return total > checked.size ? Effect.fail(sizeMismatch(operation, checked.path, checked.size, total)) : report(total)
        })
      }).pipe(
        // A stream that ends short fails here, before the HTTP client notices the body is shorter
        // than its Content-Length and reports a transport error instead.
        Stream.concat(Stream.suspend(() =>
          sent < checked.size ? Stream.fail(sizeMismatch(operation, checked.path, checked.size, sent)) : Stream.empty
        )),
        Stream.tapError((error) => Deferred.fail(sourceFailed, error)),
        // A request body carries no requirements: the source's are provided here.
        Stream.provideContext(yield* Effect.context<R | R2>())
      )
      const put = client.executeRaw({
        operation,
        upload: true,
        request: HttpClientRequest.put(url).pipe(
          HttpClientRequest.bodyStream(body, {
            contentType: "application/octet-stream",
            contentLength: checked.size
          })
        )
      })
      yield* Effect.raceFirst(put, Deferred.await(sourceFailed)).pipe(
        Effect.catchAll((error) =>
          Effect.flatMap(Deferred.isDone(sourceFailed), (failed) => (failed ? Deferred.await(sourceFailed) : Effect.fail(error)))
        )
      )
      if (sent !== checked.size) return yield* sizeMismatch(operation, checked.path, checked.size, sent)
      return { path: checked.path, size: checked.size, method: "put", chunks: 1 } satisfies Uploaded
    }

    // Both actions are safe to repeat: INITIALIZE before any chunk, COMPLETE once the file is whole.
    yield* client.executeRaw({
      operation,
      idempotent: true,
      request: HttpClientRequest.post(url).pipe(HttpClientRequest.setUrlParam("action", "INITIALIZE"))
    })
    let offset = 0
    let chunks = 0
    yield* rechunk(source.stream, checked.chunkSize).pipe(
      Stream.runForEach((chunk) =>
        Effect.gen(function*() {
          const start = offset
          const end = start + chunk.length - 1
          if (end >= checked.size) return yield* sizeMismatch(operation, checked.path, checked.size, end + 1)
          yield* client.executeRaw({
            operation,
            upload: true,
            request: HttpClientRequest.patch(url).pipe(
              HttpClientRequest.setHeader("content-range", `bytes ${start}-${end}`),
              HttpClientRequest.bodyUint8Array(chunk, "application/octet-stream")
            )
          })
          offset = end + 1
          chunks++
          yield* report(offset)
        })
      )
    )
    if (offset !== checked.size) return yield* sizeMismatch(operation, checked.path, checked.size, offset)
    yield* client.executeRaw({
      operation,
      idempotent: true,
      request: HttpClientRequest.post(url).pipe(HttpClientRequest.setUrlParam("action", "COMPLETE"))
    })
    return { path: checked.path, size: checked.size, method: "chunked", chunks } satisfies Uploaded
  }
)
