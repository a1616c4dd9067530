/**
 * Batch Ingestion operations. Each is an `Effect.fn` span named after it, checks its input
 * before sending anything, and needs only an `AepClient`.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Chunk from "effect/Chunk"
import * as Clock from "effect/Clock"
import * as DateTime from "effect/DateTime"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AepClient from "./AepClient.js"
import { AepDecodeError, type AepError, AepTimeoutError, Issue } from "./AepError.js"
import * as Batch from "./Batch.js"
import { BatchFailed } from "./BatchFailed.js"
import * as CreateBatchRequest from "./CreateBatchRequest.js"

/**
 * Where the Batch Ingestion API lives, relative to the platform URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const importPath = "/data/foundation/import"

/**
 * Where the Catalog API lives, relative to the platform URL.
 *
 * @since 0.1.0
 * @category constants
 */
export const catalogPath = "/data/foundation/catalog"

/**
 * What `create` takes (see `CreateBatchRequest`).
 *
 * @since 0.1.0
 * @category models
 */
export type CreateInput = CreateBatchRequest.Input

// How far the platform's clock may lag ours when looking for a batch created moments ago.
const clockSkewMillis = 5 * 60 * 1000

/**
 * Creates a batch in a dataset (`POST /batches`). The batch starts in `loading`, ready for
 * files. Invalid input fails with `AepValidationError` and sends nothing.
 *
 * Retried safely: the request carries an `externalId` (yours, or `effect-aep-<uuid>` when you
 * give none), and after an attempt whose outcome is unknown (no answer, or a 5xx) the Catalog is
 * asked for a batch with that `externalId` before another is created. Limits: if the Catalog
 * lags behind the create, a second batch can still appear; and an `externalId` of yours that you
 * reuse within minutes could match an earlier batch.
 *
 * @example
 * ```ts
 * import { Batches } from "@effect-aep/core"
 *
 * const batch = Batches.create({ datasetId: "5c8c3c555033b814b69f947f", inputFormat: { format: "json" } })
 * ```
 *
 * @since 0.1.0
 * @category operations
 */
export const create: (
  request: CreateBatchRequest.Input
) => Effect.Effect<Batch.Batch, AepError, AepClient.AepClient> = Effect.fn("Batches.create")(
  function*(input: CreateBatchRequest.Input) {
    const request = yield* AepClient.validate("Batches.create", CreateBatchRequest.CreateBatchRequest, input)
    yield* Effect.annotateCurrentSpan("aep.dataset_id", request.datasetId)
    const client = yield* AepClient.AepClient
    // POST /batches has no idempotency key. An externalId makes the batch findable, so that after
    // an attempt whose outcome is unknown the Catalog is asked before a second batch is created.
    const externalId = request.externalId ?? `effect-aep-${crypto.randomUUID()}`
    // Near the epoch (a TestClock) there is nothing to narrow: the Catalog refuses a negative
    // createdAfter, and a batch created at 0 is not "after 0".
    const since = (yield* Clock.currentTimeMillis) - clockSkewMillis
    const batch = yield* client.execute({
      operation: "Batches.create",
      request: HttpClientRequest.post(`${importPath}/batches`).pipe(
        HttpClientRequest.bodyUnsafeJson(CreateBatchRequest.toBody({ ...request, externalId }))
      ),
      expected: "Batch",
      schema: Batch.Batch,
      recover: client.execute({
        operation: "Batches.create",
        request: HttpClientRequest.get(`${catalogPath}/batches`).pipe(
          HttpClientRequest.setUrlParams({
            externalId,
            dataSet: request.datasetId,
            ...(since > 0 ? { createdAfter: String(since) } : {}),
            orderBy: "desc:created",
            limit: "1"
          })
        ),
        expected: "Catalog batch listing",
        schema: Batch.Keyed
      }).pipe(Effect.map((found) => Option.fromNullable(found[0])))
    })
    yield* Effect.annotateCurrentSpan("aep.batch_id", batch.id)
    return batch
  }
)

/**
 * Reads a batch from the Catalog (`GET /batches/{id}`), unwrapping the Catalog's answer keyed by
 * batch id.
 *
 * @since 0.1.0
 * @category operations
 */
export const get: (batchId: string) => Effect.Effect<Batch.Batch, AepError, AepClient.AepClient> = Effect.fn(
  "Batches.get"
)(function*(input: string) {
  const batchId = yield* AepClient.validate("Batches.get", Schema.Struct({ batchId: CreateBatchRequest.Id }), {
    batchId: input
  }).pipe(Effect.map((_) => _.batchId))
  yield* Effect.annotateCurrentSpan("aep.batch_id", batchId)
  const client = yield* AepClient.AepClient
  const request = HttpClientRequest.get(`${catalogPath}/batches/${batchId}`)
  const batches = yield* client.execute({
    operation: "Batches.get",
    request,
    expected: "Catalog batch answer",
    schema: Batch.Keyed
  })
  const batch = batches.find((candidate) => candidate.id === batchId)
  if (batch === undefined) {
    return yield* new AepDecodeError({
      operation: "Batches.get",
      status: 200,
      expected: "Catalog batch answer",
      issues: [new Issue({ path: batchId, message: "the answer has no entry for the requested batch" })],
      method: "GET",
      url: `${client.config.platformUrl}${request.url}`
    })
  }
  return batch
})

const validateBatchId = (operation: string, batchId: string) =>
  Effect.map(
    AepClient.validate(operation, Schema.Struct({ batchId: CreateBatchRequest.Id }), { batchId }),
    (_) => _.batchId
  )

/**
 * The signals `POST /batches/{id}?action=…` takes.
 *
 * @since 0.1.0
 * @category models
 */
export type Action = "COMPLETE" | "ABORT" | "FAIL" | "REVERT"

const signal = (name: string, action: Action) =>
  Effect.fn(name)(function*(input: string) {
    const batchId = yield* validateBatchId(name, input)
    yield* Effect.annotateCurrentSpan("aep.batch_id", batchId)
    const client = yield* AepClient.AepClient
    yield* client.executeRaw({
      operation: name,
      // Each signal leaves the batch in the same state however often it is sent.
      idempotent: true,
      request: HttpClientRequest.post(`${importPath}/batches/${batchId}`).pipe(HttpClientRequest.setUrlParam("action", action))
    })
  })

/**
 * Signals that every file is uploaded: AEP starts processing the batch. Safe to repeat.
 *
 * @since 0.1.0
 * @category operations
 */
export const complete: (batchId: string) => Effect.Effect<void, AepError, AepClient.AepClient> = signal(
  "Batches.complete",
  "COMPLETE"
)

/**
 * Abandons a batch that is not final yet; its files are not ingested.
 *
 * @since 0.1.0
 * @category operations
 */
export const abort: (batchId: string) => Effect.Effect<void, AepError, AepClient.AepClient> = signal("Batches.abort", "ABORT")

/**
 * Marks a loading batch as failed (the producer knows its data is bad).
 *
 * @since 0.1.0
 * @category operations
 */
export const fail: (batchId: string) => Effect.Effect<void, AepError, AepClient.AepClient> = signal("Batches.fail", "FAIL")

/**
 * Deletes the data a successful batch ingested (the batch becomes `inactive`, then `deleted`).
 *
 * @since 0.1.0
 * @category operations
 */
export const revert: (batchId: string) => Effect.Effect<void, AepError, AepClient.AepClient> = signal("Batches.revert", "REVERT")

const Instant = Schema.Union(Schema.DateTimeUtcFromSelf, Schema.DateFromSelf, Schema.Number).annotations({
  message: () => "must be a DateTime, a Date or epoch milliseconds"
})

/**
 * What `list` filters by. Every field is optional.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ListFilter = Schema.Struct({
  datasetId: Schema.optional(CreateBatchRequest.Id),
  /** One status or several (any of them). */
  status: Schema.optional(Schema.Union(Batch.KnownStatus, Schema.NonEmptyArray(Batch.KnownStatus))),
  createdAfter: Schema.optional(Instant),
  createdBefore: Schema.optional(Instant),
  externalId: Schema.optional(Schema.String.pipe(Schema.nonEmptyString())),
  /** Tags the batches must carry: `{ name: value }`, or `{ name: true }` for any value. */
  tags: Schema.optional(Schema.Record({
    key: Schema.String.pipe(Schema.pattern(/^[^,]+$/, { message: () => "must not contain ','" })),
    value: Schema.Union(Schema.Literal(true), Schema.String.pipe(Schema.pattern(/^[^,]*$/, { message: () => "must not contain ','" })))
  })),
  orderBy: Schema.optional(Schema.Struct({
    field: Schema.Literal("created", "updated", "id", "status", "externalId"),
    direction: Schema.optional(Schema.Literal("asc", "desc"))
  })),
  /** Batches per request, 1–100 (default 100). */
  pageSize: Schema.optional(Schema.Int.pipe(Schema.between(1, 100, { message: () => "must be between 1 and 100" })))
})

/**
 * @since 0.1.0
 * @category models
 */
export type ListFilter = typeof ListFilter.Encoded

const epochMillis = (instant: DateTime.Utc | Date | number): number =>
  typeof instant === "number" ? instant : instant instanceof Date ? instant.getTime() : DateTime.toEpochMillis(instant)

/**
 * The batches that match `filter`, as a stream that reads the Catalog a page at a time, only as
 * far as it is consumed.
 *
 * @since 0.1.0
 * @category operations
 */
export const list = (filter: ListFilter = {}): Stream.Stream<Batch.Batch, AepError, AepClient.AepClient> =>
  Stream.unwrap(Effect.gen(function*() {
    const checked = yield* AepClient.validate("Batches.list", ListFilter, filter)
    const client = yield* AepClient.AepClient
    const limit = checked.pageSize ?? 100
    const params: Record<string, string> = {}
    if (checked.datasetId !== undefined) params.dataSet = checked.datasetId
    if (checked.status !== undefined) params.status = typeof checked.status === "string" ? checked.status : checked.status.join(",")
    if (checked.createdAfter !== undefined) params.createdAfter = String(epochMillis(checked.createdAfter))
    if (checked.createdBefore !== undefined) params.createdBefore = String(epochMillis(checked.createdBefore))
    if (checked.externalId !== undefined) params.externalId = checked.externalId
    if (checked.tags !== undefined) {
      params.tags = Object.entries(checked.tags).map(([name, value]) => (value === true ? name : `${name}:${value}`)).join(",")
    }
    if (checked.orderBy !== undefined) params.orderBy = `${checked.orderBy.direction ?? "asc"}:${checked.orderBy.field}`
    return Stream.paginateChunkEffect(0, (start) =>
      client.execute({
        operation: "Batches.list",
        request: HttpClientRequest.get(`${catalogPath}/batches`).pipe(
          HttpClientRequest.setUrlParams({ ...params, limit: String(limit), start: String(start) })
        ),
        expected: "Catalog batch listing",
        schema: Batch.Keyed
      }).pipe(
        Effect.withSpan("Batches.list.page", { attributes: { "aep.start": start, "aep.limit": limit } }),
        Effect.map((batches) =>
          [Chunk.fromIterable(batches), batches.length < limit ? Option.none() : Option.some(start + batches.length)] as const
        )
      ))
  })).pipe(
    // One span for the whole listing, however many pages it reads; each page is a child span.
    Stream.withSpan("Batches.list", {
      attributes: Object.fromEntries(
        Object.entries({ "aep.dataset_id": filter.datasetId, "aep.status": filter.status?.toString() })
          .filter(([, value]) => value !== undefined)
      )
    })
  )

/**
 * How `awaitCompletion` polls.
 *
 * @since 0.1.0
 * @category models
 */
export interface AwaitOptions<R = never> {
  /**
   * Delays between reads. Default: exponential from 1 s, ×1.5, at most 30 s apart. A schedule
   * that ends before the batch is final fails with `AepTimeoutError`.
   */
  readonly schedule?: Schedule.Schedule<unknown, unknown, never> | undefined
  /** Give up after this long with `AepTimeoutError`. Default: 1 hour. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Told each time the status changes (and once for the first read). */
  readonly onStatus?: ((batch: Batch.Batch) => Effect.Effect<void, never, R>) | undefined
}

/**
 * The default polling schedule: from 1 s, growing ×1.5, at most 30 s apart.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPollSchedule: Schedule.Schedule<unknown, unknown, never> = Schedule.exponential("1 second", 1.5).pipe(
  Schedule.map((delay) => Duration.min(delay, Duration.seconds(30))),
  Schedule.modifyDelay((_, delay) => Duration.min(delay, Duration.seconds(30)))
)

const failedStatuses: ReadonlySet<string> = new Set(["failed", "failure", "aborted", "abandoned", "inactive", "deleted"])

/**
 * Reads the batch until it reaches a final status. Success (`success`, `active`) returns the
 * final batch, with any partial-ingestion errors in `errors`; any other final status fails with
 * `BatchFailed`; running out of time fails with `AepTimeoutError`. Polling runs on Effect's
 * `Clock` (a `TestClock` steps it).
 *
 * @since 0.1.0
 * @category operations
 */
export const awaitCompletion: <R = never>(
  batchId: string,
  options?: AwaitOptions<R>
) => Effect.Effect<Batch.Batch, AepError | BatchFailed | AepTimeoutError, AepClient.AepClient | R> = Effect.fn(
  "Batches.awaitCompletion"
)(function*<R = never>(input: string, options: AwaitOptions<R> = {}) {
  const operation = "Batches.awaitCompletion"
  const batchId = yield* validateBatchId(operation, input)
  yield* Effect.annotateCurrentSpan("aep.batch_id", batchId)
  const startedAt = yield* Clock.currentTimeMillis
  let last: Batch.Batch | undefined
  const read = Effect.tap(get(batchId), (batch) => {
    const changed = last === undefined || last.status !== batch.status
    last = batch
    return changed && options.onStatus !== undefined ? options.onStatus(batch) : Effect.void
  })
  const final = yield* read.pipe(
    Effect.repeat({
      schedule: Schedule.passthrough<unknown, Batch.Batch, never>(options.schedule ?? defaultPollSchedule),
      until: (batch) => Batch.isTerminal(batch.status)
    }),
    Effect.timeoutFail({
      duration: options.timeout ?? Duration.hours(1),
      onTimeout: () =>
        new AepTimeoutError({
          operation,
          batchId,
          waitedMillis: Duration.toMillis(options.timeout ?? Duration.hours(1)),
          ...(last === undefined ? {} : { lastStatus: last.status })
        })
    })
  )
  yield* Effect.annotateCurrentSpan("aep.status", final.status)
  // A schedule that ends (e.g. `Schedule.recurs`) stops the polling before the batch is final:
  // that is running out of time, not a verdict.
  if (!Batch.isTerminal(final.status)) {
    return yield* new AepTimeoutError({
      operation,
      batchId,
      waitedMillis: (yield* Clock.currentTimeMillis) - startedAt,
      lastStatus: final.status
    })
  }
  if (failedStatuses.has(final.status)) return yield* new BatchFailed({ batch: final })
  return final
})
