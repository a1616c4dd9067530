/**
 * A batch as AEP describes it: the answer to create, and the Catalog's record as it grows
 * through loading, processing and success or failure.
 *
 * The decoder takes every shape Adobe's documented answers show: ids as 32 hex digits, ULIDs or
 * UUIDs; `created` of `0`; tag values that are booleans or numbers; error codes as numbers or
 * strings; metrics with keys beyond the documented ones; and statuses that do not exist yet.
 * Fields it does not know are ignored.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * The statuses AEP documents.
 *
 * @since 0.1.0
 * @category models
 */
export const KnownStatus = Schema.Literal(
  "loading",
  "loaded",
  "queued",
  "processing",
  "staging",
  "staged",
  "retrying",
  "stalled",
  "success",
  "active",
  "failed",
  "failure",
  "aborted",
  "abandoned",
  "inactive",
  "deleted",
  "archived",
  "retained"
)

/**
 * @since 0.1.0
 * @category models
 */
export type KnownStatus = typeof KnownStatus.Type

/**
 * A status AEP sent that this version does not know. Kept verbatim so that a newer AEP cannot
 * make a valid batch undecodable.
 *
 * @since 0.1.0
 * @category models
 */
export const UnknownStatus = Schema.String.pipe(Schema.brand("@effect-aep/core/UnknownStatus"))

/**
 * @since 0.1.0
 * @category models
 */
export type UnknownStatus = typeof UnknownStatus.Type

/**
 * A batch's status: one of the documented values, or an unknown one kept as sent.
 *
 * @since 0.1.0
 * @category models
 */
export const Status = Schema.Union(KnownStatus, UnknownStatus)

/**
 * @since 0.1.0
 * @category models
 */
export type Status = typeof Status.Type

const terminal: ReadonlySet<string> = new Set([
  "success",
  "active",
  "failed",
  "failure",
  "aborted",
  "abandoned",
  "inactive",
  "deleted"
])

/**
 * Whether AEP will not move the batch any further on its own.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isTerminal = (status: Status): boolean => terminal.has(status)

/**
 * Whether the batch's data was ingested (`success` and `active` mean the same).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isSuccess = (status: Status): boolean => status === "success" || status === "active"

/**
 * Whether the batch failed (`failed` and `failure` mean the same).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isFailure = (status: Status): boolean => status === "failed" || status === "failure"

/**
 * Epoch seconds → `DateTime.Utc` (`availableDates` is the one field AEP sends in seconds).
 *
 * @since 0.1.0
 * @category schemas
 */
export const DateTimeUtcFromSeconds = Schema.transform(
  Schema.Number,
  Schema.DateTimeUtcFromNumber,
  {
    strict: true,
    decode: (seconds) => seconds * 1000,
    encode: (millis) => millis / 1000
  }
)

/**
 * A string, or a number sent where a string is documented (AEP does both for error codes).
 */
const LenientString = Schema.Union(
  Schema.String,
  Schema.transform(Schema.Number, Schema.String, {
    strict: true,
    decode: (n) => String(n),
    encode: (s) => Number(s)
  })
)

/**
 * A reference from a batch to the dataset (or other object) it belongs to.
 *
 * @since 0.1.0
 * @category models
 */
export class RelatedObject extends Schema.Class<RelatedObject>("@effect-aep/core/RelatedObject")({
  type: Schema.String,
  id: Schema.String
}) {}

/**
 * One error AEP recorded on a batch, e.g. `INGEST-1401-400` with the number of rows it hit.
 *
 * @since 0.1.0
 * @category models
 */
export class BatchError extends Schema.Class<BatchError>("@effect-aep/core/BatchError")({
  code: LenientString,
  description: Schema.optional(Schema.String),
  rows: Schema.optional(Schema.Array(Schema.Unknown)),
  recordCount: Schema.optional(Schema.Number)
}) {}

/**
 * How the batch's files are read.
 *
 * @since 0.1.0
 * @category models
 */
export const InputFormat = Schema.Struct({
  format: Schema.optional(Schema.String),
  isMultiLineJson: Schema.optional(Schema.Boolean),
  delimiter: Schema.optional(Schema.String),
  quote: Schema.optional(Schema.String),
  escape: Schema.optional(Schema.String),
  nullMarker: Schema.optional(Schema.String),
  header: Schema.optional(Schema.Union(Schema.Boolean, Schema.String)),
  charset: Schema.optional(Schema.String)
})

/**
 * Processing figures. The documented keys are typed; AEP sends others (`recordsRead`,
 * `startTime`, …), which are kept as they came.
 *
 * @since 0.1.0
 * @category models
 */
export const Metrics = Schema.Struct(
  {
    inputByteSize: Schema.optional(Schema.Number),
    inputFileCount: Schema.optional(Schema.Number),
    inputRecordCount: Schema.optional(Schema.Number),
    outputRecordCount: Schema.optional(Schema.Number),
    failedRecordCount: Schema.optional(Schema.Number)
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown })
)

/**
 * A tag's value. AEP documents arrays of strings, and answers with booleans and numbers too
 * (`acp_enableErrorDiagnostics: true`, `acp_partialIngestionPercent: 5`).
 *
 * @since 0.1.0
 * @category models
 */
export const TagValue = Schema.Union(
  Schema.Array(Schema.Union(Schema.String, Schema.Number, Schema.Boolean)),
  Schema.String,
  Schema.Number,
  Schema.Boolean,
  Schema.Null
)

/**
 * The earlier batches a replay batch replaces.
 *
 * @since 0.1.0
 * @category models
 */
export const Replay = Schema.Struct({
  predecessors: Schema.optional(Schema.Array(Schema.String)),
  predecessorsByExternalId: Schema.optional(Schema.Array(Schema.String)),
  reason: Schema.optional(Schema.String)
})

/**
 * A batch. Timestamps are `DateTime.Utc` (AEP sends epoch milliseconds).
 *
 * @since 0.1.0
 * @category models
 */
export class Batch extends Schema.Class<Batch>("@effect-aep/core/Batch")({
  id: Schema.String,
  status: Status,
  imsOrg: Schema.optional(Schema.String),
  sandboxId: Schema.optional(Schema.String),
  created: Schema.optional(Schema.DateTimeUtcFromNumber),
  updated: Schema.optional(Schema.DateTimeUtcFromNumber),
  started: Schema.optional(Schema.DateTimeUtcFromNumber),
  completed: Schema.optional(Schema.DateTimeUtcFromNumber),
  createdUser: Schema.optional(Schema.String),
  updatedUser: Schema.optional(Schema.String),
  createdClient: Schema.optional(Schema.String),
  updatedClient: Schema.optional(Schema.String),
  externalId: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String),
  relatedObjects: Schema.optional(Schema.Array(RelatedObject)),
  tags: Schema.optional(Schema.Record({ key: Schema.String, value: TagValue })),
  inputFormat: Schema.optional(InputFormat),
  replay: Schema.optional(Replay),
  errors: Schema.optional(Schema.Array(BatchError)),
  metrics: Schema.optional(Metrics),
  recordCount: Schema.optional(Schema.Number),
  failedRecordCount: Schema.optional(Schema.Number),
  size: Schema.optional(Schema.Number),
  failedBatchLocation: Schema.optional(Schema.String),
  availableDates: Schema.optional(Schema.Struct({
    startDate: Schema.optional(DateTimeUtcFromSeconds),
    endDate: Schema.optional(DateTimeUtcFromSeconds)
  }))
}) {
  /**
   * The id of the dataset the batch belongs to, from `relatedObjects`.
   *
   * @since 0.1.0
   */
  get datasetId(): string | undefined {
    return this.relatedObjects?.find((object) => object.type === "dataSet")?.id
  }
}

/**
 * The Catalog's answer for batches: an object keyed by batch id, whose values may omit the id.
 * Decodes to batches with the id filled in from the key.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Keyed = Schema.transform(
  Schema.Record({ key: Schema.String, value: Schema.Record({ key: Schema.String, value: Schema.Unknown }) }),
  Schema.Array(Schema.encodedSchema(Batch)),
  {
    strict: false,
    decode: (keyed) => Object.entries(keyed).map(([id, batch]) => ({ ...batch, id })),
    encode: (batches) => Object.fromEntries(batches.map((batch) => [batch.id, batch]))
  }
).pipe(Schema.compose(Schema.Array(Batch)))
