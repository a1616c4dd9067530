/**
 * Why a batch failed, from the Data Access API: the files that failed, and the rows AEP could not
 * read (kept when the batch was created with `enableErrorDiagnostics`; Adobe keeps them 30 days).
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as AepClient from "./AepClient.js"
import { AepDecodeError, type AepError, Issue } from "./AepError.js"
import * as CreateBatchRequest from "./CreateBatchRequest.js"
import * as Issues from "./internal/issues.js"

const exportPath = "/data/foundation/export"

/** Data Access gives sizes as strings. */
const Length = Schema.Union(Schema.NumberFromString, Schema.Number)

/**
 * A file in a Data Access listing.
 *
 * @since 0.1.0
 * @category models
 */
export class ListedFile extends Schema.Class<ListedFile>("@effect-aep/core/ListedFile")({
  name: Schema.String,
  length: Schema.optional(Length),
  _links: Schema.optional(Schema.Struct({ self: Schema.optional(Schema.Struct({ href: Schema.String })) }))
}) {}

const Listing = Schema.Struct({
  data: Schema.Array(ListedFile),
  _page: Schema.optional(Schema.Struct({ limit: Schema.optional(Schema.Number), count: Schema.optional(Schema.Number) }))
})

/**
 * One row AEP could not ingest: the raw record, why, and which file it came from.
 *
 * @since 0.1.0
 * @category models
 */
export class RowError extends Schema.Class<RowError>("@effect-aep/core/RowError")({
  record: Schema.String,
  errors: Schema.Array(Schema.Struct({ code: Schema.String, message: Schema.String })),
  file: Schema.optional(Schema.String)
}) {}

/** The documented line form, renamed for readers. */
const RowErrorLine = Schema.Struct({
  _corrupt_record: Schema.optional(Schema.String),
  _errors: Schema.Array(Schema.Struct({
    code: Schema.Union(Schema.String, Schema.transform(Schema.Number, Schema.String, {
      strict: true,
      decode: String,
      encode: Number
    })),
    message: Schema.String
  })),
  _filename: Schema.optional(Schema.String)
})

/**
 * What AEP recorded about a batch's failures.
 *
 * @since 0.1.0
 * @category models
 */
export interface Diagnostics {
  readonly batchId: string
  readonly failedFiles: ReadonlyArray<ListedFile>
  readonly rowErrors: ReadonlyArray<RowError>
}

const validateId = (operation: string, batchId: string) =>
  AepClient.validate(operation, Schema.Struct({ batchId: CreateBatchRequest.Id }), { batchId }).pipe(
    Effect.map((_) => _.batchId),
    Effect.tap((id) => Effect.annotateCurrentSpan("aep.batch_id", id))
  )

/**
 * The files of a failed batch (or, after partial ingestion, those that held failed rows).
 *
 * @since 0.1.0
 * @category operations
 */
export const failedFiles: (batchId: string) => Effect.Effect<ReadonlyArray<ListedFile>, AepError, AepClient.AepClient> =
  Effect.fn("Diagnostics.failedFiles")(function*(input: string) {
    const batchId = yield* validateId("Diagnostics.failedFiles", input)
    const client = yield* AepClient.AepClient
    const listing = yield* client.execute({
      operation: "Diagnostics.failedFiles",
      request: HttpClientRequest.get(`${exportPath}/batches/${batchId}/failed`),
      expected: "file listing",
      schema: Listing
    })
    return listing.data
  })

/**
 * Downloads one failed file's bytes.
 *
 * @since 0.1.0
 * @category operations
 */
export const downloadFailedFile: (batchId: string, name: string) => Effect.Effect<Uint8Array, AepError, AepClient.AepClient> =
  Effect.fn("Diagnostics.downloadFailedFile")(function*(input: string, name: string) {
    const batchId = yield* validateId("Diagnostics.downloadFailedFile", input)
    yield* AepClient.validate(
      "Diagnostics.downloadFailedFile",
      Schema.Struct({ name: Schema.String.pipe(Schema.nonEmptyString({ message: () => "must name a file of the listing" })) }),
      { name }
    )
    const client = yield* AepClient.AepClient
    const answer = yield* client.executeRaw({
      operation: "Diagnostics.downloadFailedFile",
      request: HttpClientRequest.get(`${exportPath}/batches/${batchId}/failed`).pipe(HttpClientRequest.setUrlParam("path", name))
    })
    return answer.body
  })

const decoder = new TextDecoder()

/**
 * Every row error of a batch: lists the `row_errors` meta files and reads their lines.
 *
 * @since 0.1.0
 * @category operations
 */
export const rowErrors: (batchId: string) => Effect.Effect<ReadonlyArray<RowError>, AepError, AepClient.AepClient> =
  Effect.fn("Diagnostics.rowErrors")(function*(input: string) {
    const operation = "Diagnostics.rowErrors"
    const batchId = yield* validateId(operation, input)
    const client = yield* AepClient.AepClient
    const meta = (path: string) =>
      HttpClientRequest.get(`${exportPath}/batches/${batchId}/meta`).pipe(HttpClientRequest.setUrlParam("path", path))
    const listing = yield* client.execute({ operation, request: meta("row_errors"), expected: "file listing", schema: Listing })
    const files = yield* Effect.forEach(
      listing.data,
      (file) => client.executeRaw({ operation, request: meta(file.name) }),
      { concurrency: 4 }
    )
    const rows: Array<RowError> = []
    for (const [index, answer] of files.entries()) {
      const lines = decoder.decode(answer.body).split("\n").filter((line) => line.trim() !== "")
      for (const [lineNumber, line] of lines.entries()) {
        const fail = (message: string, issues: ReadonlyArray<Issue> = [new Issue({ path: "", message })]) =>
          new AepDecodeError({
            operation,
            status: answer.status,
            expected: "row-error line",
            issues: issues.map((issue) => new Issue({ path: `${listing.data[index]!.name}:${lineNumber + 1}${issue.path === "" ? "" : `.${issue.path}`}`, message: issue.message })),
            method: "GET",
            url: `${client.config.platformUrl}${exportPath}/batches/${batchId}/meta`,
            ...(answer.requestId === undefined ? {} : { requestId: answer.requestId })
          })
        let json: unknown
        try {
          json = JSON.parse(line)
        } catch {
          return yield* fail("the line is not JSON")
        }
        const decoded = yield* Schema.decodeUnknown(RowErrorLine)(json).pipe(
          Effect.mapError((error) => fail("", Issues.fromParseError(error)))
        )
        rows.push(
          new RowError({
            record: decoded._corrupt_record ?? "",
            errors: decoded._errors,
            ...(decoded._filename === undefined ? {} : { file: decoded._filename })
          })
        )
      }
    }
    return rows
  })

/**
 * Failed files and row errors together.
 *
 * @since 0.1.0
 * @category operations
 */
export const get = (batchId: string): Effect.Effect<Diagnostics, AepError, AepClient.AepClient> =>
  Effect.map(
    Effect.all([failedFiles(batchId), rowErrors(batchId)], { concurrency: 2 }),
    ([failed, rows]) => ({ batchId, failedFiles: failed, rowErrors: rows })
  )
