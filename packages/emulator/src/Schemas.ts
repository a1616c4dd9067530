/**
 * The emulator's answers, as Schemas of exactly what it sends. They are stricter than what a
 * client must accept from Adobe (see `@effect-aep/core` for that): decoded with
 * `onExcessProperty: "error"`, they catch a field the emulator should not send as well as one it
 * forgot, so its tests can check every answer against them.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as Faults from "./Faults.js"

/**
 * Epoch milliseconds, as every Catalog time except `availableDates`.
 *
 * @since 0.1.0
 * @category primitives
 */
export const EpochMillis = Schema.NonNegativeInt.annotations({ identifier: "EpochMillis" })

const Count = Schema.NonNegativeInt

/**
 * A batch id as the emulator makes them: 32 lower-case hex digits, like the create answers in
 * Adobe's docs.
 *
 * @since 0.1.0
 * @category primitives
 */
export const BatchId = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{32}$/), Schema.annotations({ identifier: "BatchId" }))

/**
 * An IMS organization id (`…@AdobeOrg`).
 *
 * @since 0.1.0
 * @category primitives
 */
export const OrgId = Schema.String.pipe(Schema.pattern(/^\S+@AdobeOrg$/), Schema.annotations({ identifier: "OrgId" }))

/**
 * The status values of the spec's enum. The emulator must not invent others.
 *
 * @since 0.1.0
 * @category batches
 */
export const BatchStatus = Schema.Literal(
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
  "deleted"
)

/**
 * One entry of a batch's `errors` (`code` is a string: `"106"`, `"INGEST-1401-400"`).
 *
 * @since 0.1.0
 * @category batches
 */
export const BatchError = Schema.Struct({
  code: Schema.NonEmptyString,
  description: Schema.NonEmptyString,
  recordCount: Schema.optional(Count),
  rows: Schema.optional(Schema.Array(Schema.Unknown))
})

/**
 * The `metrics` the emulator fills in when a batch finishes.
 *
 * @since 0.1.0
 * @category batches
 */
export const Metrics = Schema.Struct({
  inputByteSize: Count,
  inputFileCount: Count,
  inputRecordCount: Count,
  outputRecordCount: Count,
  failedRecordCount: Count
})

/**
 * A batch's `inputFormat`, echoed with `format` in lower case.
 *
 * @since 0.1.0
 * @category batches
 */
export const InputFormat = Schema.Struct({
  format: Schema.Literal("json", "parquet", "csv"),
  isMultiLineJson: Schema.optional(Schema.Boolean),
  delimiter: Schema.optional(Schema.String),
  quote: Schema.optional(Schema.String),
  escape: Schema.optional(Schema.String),
  nullMarker: Schema.optional(Schema.String),
  header: Schema.optional(Schema.Union(Schema.Boolean, Schema.String)),
  charset: Schema.optional(Schema.String)
})

const echoedOptions = new Set(["acp_enableErrorDiagnostics", "acp_partialIngestionPercent"])

/**
 * A batch's `tags`: the three the service always sets, and any others, whose values are string
 * arrays except the request options echoed as a boolean or a number.
 *
 * @since 0.1.0
 * @category batches
 */
export const Tags = Schema.Struct(
  {
    acp_producer: Schema.Tuple(Schema.NonEmptyString),
    acp_stagePath: Schema.Tuple(Schema.NonEmptyString),
    use_plan_b_batch_status: Schema.Tuple(Schema.Literal("false")),
    acp_enableErrorDiagnostics: Schema.optional(Schema.Boolean),
    acp_partialIngestionPercent: Schema.optional(Schema.Number.pipe(Schema.between(0, 100)))
  },
  // The index signature applies to the named tags too, so it admits their types; the filter
  // keeps every other tag a string array.
  Schema.Record({ key: Schema.String, value: Schema.Union(Schema.Array(Schema.String), Schema.Boolean, Schema.Number) })
).pipe(
  Schema.filter((tags) =>
    Object.entries(tags).every(([name, value]) => echoedOptions.has(name) || Array.isArray(value)) ||
    "tags other than the echoed options are string arrays"
  )
)

/**
 * A replay, echoed with predecessor ids without the `$` the request puts in front of them.
 *
 * @since 0.1.0
 * @category batches
 */
export const Replay = Schema.Struct({
  predecessors: Schema.NonEmptyArray(BatchId),
  reason: Schema.String,
  predecessorsByExternalId: Schema.optional(Schema.Array(Schema.String))
})

/**
 * A batch on the wire, as the create answer and the Catalog send it (times in epoch ms).
 *
 * @since 0.1.0
 * @category batches
 */
export const Batch = Schema.Struct({
  id: BatchId,
  imsOrg: OrgId,
  status: BatchStatus,
  created: EpochMillis,
  updated: EpochMillis,
  createdUser: Schema.NonEmptyString,
  updatedUser: Schema.NonEmptyString,
  createdClient: Schema.NonEmptyString,
  updatedClient: Schema.NonEmptyString,
  externalId: Schema.NonEmptyString,
  version: Schema.Literal("1.0.0"),
  relatedObjects: Schema.Tuple(Schema.Struct({ type: Schema.Literal("dataSet"), id: Schema.NonEmptyString })),
  tags: Tags,
  inputFormat: InputFormat,
  started: Schema.optional(EpochMillis),
  completed: Schema.optional(EpochMillis),
  recordCount: Schema.optional(Count),
  failedRecordCount: Schema.optional(Count),
  size: Schema.optional(Count),
  errors: Schema.optional(Schema.Array(BatchError)),
  metrics: Schema.optional(Metrics),
  replay: Schema.optional(Replay)
}).annotations({ identifier: "Batch" })

/**
 * @since 0.1.0
 * @category batches
 */
export type Batch = typeof Batch.Type

const keyedById = <A extends { readonly id: string }, I, R>(value: Schema.Schema<A, I, R>) =>
  Schema.Record({ key: BatchId, value }).pipe(
    Schema.filter((byId) => Object.entries(byId).every(([key, batch]) => key === batch.id) || "every key is its batch's id")
  )

/**
 * The Catalog's answer for `GET /batches/{id}` and `GET /batches`: batches keyed by their id.
 *
 * @since 0.1.0
 * @category catalog
 */
export const BatchesById = keyedById(Batch)

/**
 * One dataset's entry in `GET /lastBatches`.
 *
 * @since 0.1.0
 * @category catalog
 */
export const LastBatch = Schema.Struct({
  lastBatchId: BatchId,
  lastBatchStatus: BatchStatus,
  lastSuccessfulBatchId: Schema.optional(BatchId),
  lastFailedBatchId: Schema.optional(BatchId),
  imsOrg: OrgId,
  created: EpochMillis,
  updated: EpochMillis
})

/**
 * `GET /lastBatches`: keyed by dataset id.
 *
 * @since 0.1.0
 * @category catalog
 */
export const LastBatches = Schema.Record({ key: Schema.String, value: LastBatch })

/**
 * A dataset as `GET /dataSets/{id}` shows it.
 *
 * @since 0.1.0
 * @category catalog
 */
export const Dataset = Schema.Struct({
  name: Schema.NonEmptyString,
  imsOrg: OrgId,
  created: EpochMillis,
  updated: EpochMillis,
  version: Schema.Literal("1.0.0")
})

/**
 * `GET /dataSets/{id}`: keyed by dataset id.
 *
 * @since 0.1.0
 * @category catalog
 */
export const DatasetsById = Schema.Record({ key: Schema.String, value: Dataset })

/**
 * `POST /dataSets`: `["@/dataSets/{id}"]`.
 *
 * @since 0.1.0
 * @category catalog
 */
export const DatasetCreated = Schema.Tuple(Schema.String.pipe(Schema.pattern(/^@\/dataSets\/[0-9a-f]{24}$/)))

/**
 * What a large-file `PATCH` and `COMPLETE` answer.
 *
 * @since 0.1.0
 * @category files
 */
export const File = Schema.Struct({ name: Schema.NonEmptyString, sizeInBytes: Count })

/**
 * One entry of a Data Access listing (`length` is a string, as on the real service).
 *
 * @since 0.1.0
 * @category data access
 */
export const ListingEntry = Schema.Struct({
  name: Schema.NonEmptyString,
  length: Schema.String.pipe(Schema.pattern(/^\d+$/)),
  _links: Schema.Struct({ self: Schema.Struct({ href: Schema.String.pipe(Schema.pattern(/^https?:\/\//)) }) })
})

/**
 * A Data Access listing: `GET /batches/{id}/failed` and `GET /batches/{id}/meta`.
 *
 * @since 0.1.0
 * @category data access
 */
export const Listing = Schema.Struct({
  data: Schema.Array(ListingEntry),
  _page: Schema.Struct({ limit: Schema.Int.pipe(Schema.positive()), count: Count })
}).pipe(Schema.filter((listing) => listing._page.count === listing.data.length || "_page.count is the number of entries"))

/**
 * One line of a row-error file.
 *
 * @since 0.1.0
 * @category data access
 */
export const RowError = Schema.Struct({
  _corrupt_record: Schema.String,
  _errors: Schema.NonEmptyArray(Schema.Struct({ code: Schema.Literal("1401"), message: Schema.NonEmptyString })),
  _filename: Schema.NonEmptyString
})

/**
 * A row-error line as text.
 *
 * @since 0.1.0
 * @category data access
 */
export const RowErrorLine = Schema.parseJson(RowError)

/**
 * What `POST /ims/token/v3` answers (`expires_in` in seconds).
 *
 * @since 0.1.0
 * @category ims
 */
export const ImsToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
  token_type: Schema.Literal("bearer"),
  expires_in: Schema.Int.pipe(Schema.positive())
})

/**
 * IMS's OAuth error form.
 *
 * @since 0.1.0
 * @category ims
 */
export const ImsError = Schema.Struct({
  error: Schema.Literal("invalid_request", "invalid_client", "unauthorized_client", "unsupported_grant_type"),
  error_description: Schema.NonEmptyString
})

/**
 * The gateway's error form, `{ error_code, message }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const GatewayError = Schema.Struct({
  error_code: Schema.String.pipe(Schema.pattern(/^\d{6}$/)),
  message: Schema.NonEmptyString
})

/**
 * The services' problem form, `{ type, status, title, detail }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const ProblemError = Schema.Struct({
  type: Schema.String.pipe(Schema.pattern(/^https?:\/\//)),
  status: Schema.Int.pipe(Schema.between(400, 599)),
  title: Schema.NonEmptyString,
  detail: Schema.NonEmptyString
})

/**
 * `GET /__emulator/counters`.
 *
 * @since 0.1.0
 * @category control
 */
export const Counters = Schema.Struct({
  counters: Schema.Record({ key: Schema.String, value: Count }),
  batches: Count,
  tokensIssued: Count
})

/**
 * `POST /__emulator/datasets`.
 *
 * @since 0.1.0
 * @category control
 */
export const ControlDataset = Schema.Struct({
  id: Schema.NonEmptyString,
  name: Schema.NonEmptyString,
  sandboxName: Schema.NonEmptyString,
  created: EpochMillis
})

/**
 * `POST /__emulator/tokens/revoke`.
 *
 * @since 0.1.0
 * @category control
 */
export const Revoked = Schema.Struct({ revoked: Count })

/**
 * `GET` and `POST /__emulator/faults`: the rules in force and how often each fired.
 *
 * @since 0.1.0
 * @category control
 */
export const FaultRules = Schema.Struct({
  rules: Schema.Array(Schema.Struct({ ...Faults.Rule.fields, fired: Count }))
})
