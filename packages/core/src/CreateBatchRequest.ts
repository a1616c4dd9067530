/**
 * What `Batches.create` takes, as a Schema: every option the Batch Ingestion API documents,
 * checked before anything is sent.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * An id AEP assigned (dataset, batch). Restricted to the characters AEP's ids use so that an id
 * can never change the path of a URL it is put into.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Id = Schema.String.pipe(
  Schema.nonEmptyString({ message: () => "must not be empty" }),
  Schema.maxLength(256, { message: () => "must be at most 256 characters" }),
  Schema.pattern(/^[A-Za-z0-9_-]+$/, {
    message: () => "must contain only letters, digits, '-' and '_' (an id as AEP gives it)"
  })
)

/**
 * The file formats AEP ingests. Any letter case is accepted (the OpenAPI spec spells them
 * `JSON`, `Parquet`, `CSV`; the docs and AEP's answers use lower case); lower case is sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Format = Schema.transform(
  Schema.String,
  Schema.Literal("json", "parquet", "csv"),
  { strict: true, decode: (s) => s.toLowerCase() as "json", encode: (s) => s }
).annotations({ message: () => "must be one of json, parquet, csv" })

/**
 * @since 0.1.0
 * @category models
 */
export type Format = typeof Format.Type

const NonEmpty = Schema.String.pipe(Schema.nonEmptyString({ message: () => "must not be empty" }))

/**
 * How AEP should read the batch's files.
 *
 * @since 0.1.0
 * @category schemas
 */
export const InputFormat = Schema.Struct({
  format: Format,
  /** JSON only: each file is one JSON document (or array) spread over several lines. */
  isMultiLineJson: Schema.optional(Schema.Boolean),
  /** CSV only (legacy options from the Catalog schema). */
  delimiter: Schema.optional(NonEmpty),
  quote: Schema.optional(NonEmpty),
  escape: Schema.optional(NonEmpty),
  nullMarker: Schema.optional(Schema.String),
  header: Schema.optional(Schema.Boolean),
  charset: Schema.optional(NonEmpty)
}).pipe(
  Schema.filter((input) => {
    if (input.isMultiLineJson !== undefined && input.format !== "json") {
      return { path: ["isMultiLineJson"], message: `applies to format json only, not ${input.format}` }
    }
    const csvOnly = (["delimiter", "quote", "escape", "nullMarker", "header", "charset"] as const).find((key) =>
      input[key] !== undefined
    )
    if (csvOnly !== undefined && input.format !== "csv") {
      return { path: [csvOnly], message: `applies to format csv only, not ${input.format}` }
    }
    return true
  })
)

/**
 * Replace earlier batches of the same dataset with this one. Give the predecessors' ids as AEP
 * returned them; the `$` prefix the API wants is added when the request is sent.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Replay = Schema.Struct({
  predecessors: Schema.NonEmptyArray(Id),
  reason: NonEmpty,
  predecessorsByExternalId: Schema.optional(Schema.NonEmptyArray(NonEmpty))
})

/**
 * The body of `POST /batches`.
 *
 * @since 0.1.0
 * @category schemas
 */
export class CreateBatchRequest extends Schema.Class<CreateBatchRequest>("@effect-aep/core/CreateBatchRequest")({
  /** The dataset the batch writes into. */
  datasetId: Id,
  /** Defaults, on AEP's side, to parquet. */
  inputFormat: Schema.optional(InputFormat),
  /** Keep row-level diagnostics of failed rows (read them with the Data Access API). */
  enableErrorDiagnostics: Schema.optional(Schema.Boolean),
  /** The share of rows, 0–100, that may fail before the whole batch fails. */
  partialIngestionPercentage: Schema.optional(
    Schema.Number.pipe(
      Schema.finite({ message: () => "must be a finite number" }),
      Schema.between(0, 100, { message: () => "must be between 0 and 100" })
    )
  ),
  /** Your own id for the batch; AEP defaults it to the batch id. */
  externalId: Schema.optional(NonEmpty.pipe(Schema.maxLength(256, { message: () => "must be at most 256 characters" }))),
  /** Free-form tags: each name maps to a list of values. */
  tags: Schema.optional(Schema.Record({ key: NonEmpty, value: Schema.Array(Schema.String) })),
  replay: Schema.optional(Replay)
}) {}

/**
 * What callers pass to `Batches.create`: the encoded (plain object) form of the request.
 *
 * @since 0.1.0
 * @category models
 */
export type Input = typeof CreateBatchRequest.Encoded

/**
 * The JSON body the API expects, as the docs' own examples write it: replay predecessors
 * prefixed with `$`, absent options left out.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toBody = (request: CreateBatchRequest): Record<string, unknown> => {
  const body: Record<string, unknown> = { datasetId: request.datasetId }
  if (request.inputFormat !== undefined) body.inputFormat = { ...request.inputFormat }
  if (request.enableErrorDiagnostics !== undefined) body.enableErrorDiagnostics = request.enableErrorDiagnostics
  if (request.partialIngestionPercentage !== undefined) {
    body.partialIngestionPercentage = request.partialIngestionPercentage
  }
  if (request.externalId !== undefined) body.externalId = request.externalId
  if (request.tags !== undefined) body.tags = request.tags
  if (request.replay !== undefined) {
    body.replay = {
      ...request.replay,
      predecessors: request.replay.predecessors.map((id) => `$${id}`)
    }
  }
  return body
}
