/**
 * The Batch Ingestion API (`/data/foundation/import`): create batches.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as EmulatorState from "./EmulatorState.js"
import type { Caller } from "./Gateway.js"
import { type Refusal, serviceError } from "./Refusal.js"

const formats = new Set(["json", "parquet", "csv"])

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const stringArray = (value: unknown): value is Array<string> =>
  Array.isArray(value) && value.every((item) => typeof item === "string")

/**
 * `POST /data/foundation/import/batches`: checks the body as the service does and stores a new
 * batch in `loading`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const createBatch = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  contentType: string | undefined,
  text: string
): Effect.Effect<EmulatorState.BatchRecord, Refusal> =>
  Effect.gen(function*() {
    if (contentType === undefined || !/^application\/json\b/i.test(contentType)) {
      return yield* serviceError(400, "A valid content-type must be specified")
    }
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      return yield* serviceError(400, "The request body is not valid JSON")
    }
    if (!isRecord(body)) return yield* serviceError(400, "The request body must be a JSON object")
    const datasetId = body.datasetId
    if (typeof datasetId !== "string" || datasetId === "") {
      return yield* serviceError(400, "datasetId is required")
    }
    if (state.dataset(caller.sandboxName, datasetId) === undefined) {
      return yield* serviceError(400, `Dataset ${datasetId} was not found`)
    }
    const inputFormat: Record<string, unknown> = { format: "parquet" }
    if (body.inputFormat !== undefined) {
      if (!isRecord(body.inputFormat)) return yield* serviceError(400, "inputFormat must be an object")
      const format = body.inputFormat.format
      if (typeof format !== "string" || !formats.has(format.toLowerCase())) {
        return yield* serviceError(400, "inputFormat.format must be one of json, parquet, csv")
      }
      Object.assign(inputFormat, body.inputFormat, { format: format.toLowerCase() })
      if (body.inputFormat.isMultiLineJson !== undefined && typeof body.inputFormat.isMultiLineJson !== "boolean") {
        return yield* serviceError(400, "inputFormat.isMultiLineJson must be a boolean")
      }
    }
    // One docs page spells it partialIngestionPercent: both are accepted.
    const percentage = body.partialIngestionPercentage ?? body.partialIngestionPercent
    if (percentage !== undefined && (typeof percentage !== "number" || !(percentage >= 0 && percentage <= 100))) {
      return yield* serviceError(400, "partialIngestionPercentage must be a number between 0 and 100")
    }
    const diagnostics = body.enableErrorDiagnostics
    if (diagnostics !== undefined && typeof diagnostics !== "boolean") {
      return yield* serviceError(400, "enableErrorDiagnostics must be a boolean")
    }
    if (body.externalId !== undefined && (typeof body.externalId !== "string" || body.externalId === "")) {
      return yield* serviceError(400, "externalId must be a non-empty string")
    }
    const userTags: Record<string, Array<string>> = {}
    if (body.tags !== undefined) {
      if (!isRecord(body.tags)) return yield* serviceError(400, "tags must be an object of string arrays")
      for (const [name, values] of Object.entries(body.tags)) {
        if (!stringArray(values)) return yield* serviceError(400, `tags.${name} must be an array of strings`)
        userTags[name] = values
      }
    }
    let replay: EmulatorState.BatchRecord["replay"]
    if (body.replay !== undefined) {
      const r = body.replay
      if (!isRecord(r) || !stringArray(r.predecessors) || r.predecessors.length === 0 || typeof r.reason !== "string") {
        return yield* serviceError(400, "replay needs predecessors (batch ids prefixed with $) and a reason")
      }
      // The request prefixes predecessor ids with `$`; answers echo them without it.
      const predecessors = r.predecessors.map((id) => id.replace(/^\$/, ""))
      const unknown = predecessors.find((id) => state.batch(caller.sandboxName, id) === undefined)
      if (unknown !== undefined) return yield* serviceError(400, `replay predecessor ${unknown} was not found`)
      replay = { predecessors, reason: r.reason }
      if (r.predecessorsByExternalId !== undefined) {
        if (!stringArray(r.predecessorsByExternalId)) {
          return yield* serviceError(400, "replay.predecessorsByExternalId must be an array of strings")
        }
        replay.predecessorsByExternalId = r.predecessorsByExternalId
      }
    }

    const now = yield* Clock.currentTimeMillis
    const id = EmulatorState.newBatchId()
    const createdUser = `${caller.clientId}@AdobeID`
    const tags: Record<string, unknown> = {
      ...userTags,
      acp_producer: [caller.clientId],
      acp_stagePath: [`${caller.clientId}/stage/${id}`],
      use_plan_b_batch_status: ["false"]
    }
    if (diagnostics === true) tags.acp_enableErrorDiagnostics = true
    if (percentage !== undefined) tags.acp_partialIngestionPercent = percentage
    const batch: EmulatorState.BatchRecord = {
      id,
      imsOrg: caller.orgId,
      updated: now,
      status: "loading",
      created: now,
      relatedObjects: [{ type: "dataSet", id: datasetId }],
      version: "1.0.0",
      tags,
      createdUser,
      updatedUser: createdUser,
      externalId: typeof body.externalId === "string" ? body.externalId : id,
      createdClient: caller.clientId,
      updatedClient: caller.clientId,
      inputFormat,
      ...(diagnostics === undefined ? {} : { enableErrorDiagnostics: diagnostics }),
      ...(typeof percentage === "number" ? { partialIngestionPercentage: percentage } : {}),
      ...(replay === undefined ? {} : { replay })
    }
    state.addBatch(caller.sandboxName, batch)
    return batch
  })

/**
 * A batch as the API answers it: the request options the service keeps but does not echo as
 * fields of their own (the tags carry them) are left out.
 *
 * @since 0.1.0
 * @category encoding
 */
export const publicBatch = (batch: EmulatorState.BatchRecord): Record<string, unknown> => {
  const { enableErrorDiagnostics: _d, partialIngestionPercentage: _p, ...rest } = batch
  return rest
}

