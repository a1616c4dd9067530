/**
 * Batch Ingestion operations. Each is an `Effect.fn` span named after it, checks its input
 * before sending anything, and needs only an `AepClient`.
 *
 * @since 0.1.0
 */
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as AepClient from "./AepClient.js"
import { AepDecodeError, type AepError, Issue } from "./AepError.js"
import * as Batch from "./Batch.js"
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

/**
 * Creates a batch in a dataset (`POST /batches`). The batch starts in `loading`, ready for
 * files. Invalid input fails with `AepValidationError` and sends nothing.
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
    const batch = yield* client.execute({
      operation: "Batches.create",
      request: HttpClientRequest.post(`${importPath}/batches`).pipe(
        HttpClientRequest.bodyUnsafeJson(CreateBatchRequest.toBody(request))
      ),
      expected: "Batch",
      schema: Batch.Batch
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
