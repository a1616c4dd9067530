/**
 * The Batch Ingestion API (`/data/foundation/import`): create batches and signal them
 * (COMPLETE, ABORT, FAIL, REVERT). Files are `FileUpload`'s.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as EmulatorState from "./EmulatorState.js"
import type { Caller } from "./Gateway.js"
import * as BatchLifecycle from "./BatchLifecycle.js"
import { gatewayError, type Refusal, serviceError } from "./Refusal.js"

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
    yield* throttle(state, caller, now)
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
    state.addBatch(caller.sandboxName, batch, datasetId)
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


// Adobe's guardrail: a bounded number of creates per client per minute, answered by the gateway.
const throttle = (state: EmulatorState.EmulatorState, caller: Caller, now: number): Effect.Effect<void, Refusal> => {
  const limit = state.limits.batchesPerMinute
  if (limit === undefined) return Effect.void
  const recent = (state.recentCreates.get(caller.clientId) ?? []).filter((at) => at > now - 60_000)
  if (recent.length >= limit) {
    const retryAfter = Math.max(1, Math.ceil((recent[0]! + 60_000 - now) / 1000))
    state.recentCreates.set(caller.clientId, recent)
    return Effect.fail(gatewayError(429, "429050", "Too many requests", { "retry-after": String(retryAfter) }))
  }
  recent.push(now)
  state.recentCreates.set(caller.clientId, recent)
  return Effect.void
}

/**
 * The actions `POST /batches/{id}?action=…` takes, in either letter case.
 *
 * @since 0.1.0
 * @category models
 */
export type Action = "COMPLETE" | "ABORT" | "FAIL" | "REVERT"

const finalStatuses = new Set(["success", "active", "failed", "failure", "aborted", "abandoned", "inactive", "deleted"])

/**
 * Signals a batch. COMPLETE is safe to repeat; ABORT is refused once the batch is final; REVERT
 * (the documented way to delete a batch's data) applies to successful batches.
 *
 * @since 0.1.0
 * @category handlers
 */
export const signal = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  batchId: string,
  rawAction: string | undefined
): Effect.Effect<void, Refusal> =>
  Effect.gen(function*() {
    const action = rawAction?.toUpperCase()
    if (action !== "COMPLETE" && action !== "ABORT" && action !== "FAIL" && action !== "REVERT") {
      return yield* serviceError(400, "action must be one of COMPLETE, ABORT, FAIL, REVERT")
    }
    const entry = state.entry(caller.sandboxName, batchId)
    if (entry === undefined) return yield* serviceError(404, `Batch ${batchId} was not found`)
    const now = yield* Clock.currentTimeMillis
    BatchLifecycle.advance(state, entry, now)
    const record = entry.record
    const touch = (status: string) => {
      record.status = status
      record.updated = now
      record.updatedClient = caller.clientId
      record.updatedUser = `${caller.clientId}@AdobeID`
    }
    switch (action) {
      case "COMPLETE": {
        // A retry of an accepted COMPLETE succeeds, unless the batch was aborted since.
        if (entry.completeAt !== undefined && record.status !== "aborted") return
        if (record.status !== "loading") {
          return yield* serviceError(400, `Batch ${batchId} is ${record.status} and cannot be completed`)
        }
        const open = [...entry.files.values()].find((file) => !file.complete)
        if (open !== undefined) {
          return yield* serviceError(400, `File ${open.name} was initialized but not completed`)
        }
        entry.completeAt = now
        touch("staging")
        return
      }
      case "ABORT": {
        if (record.status === "aborted") return
        if (finalStatuses.has(record.status)) {
          return yield* serviceError(400, `Batch ${batchId} is ${record.status}: a finalized batch cannot be aborted`)
        }
        touch("aborted")
        record.completed = now
        return
      }
      case "FAIL": {
        if (record.status === "failed") return
        if (record.status !== "loading") {
          return yield* serviceError(400, `Batch ${batchId} is ${record.status}: only a loading batch can be failed`)
        }
        touch("failed")
        record.completed = now
        record.errors = [{ code: "FAILED_BY_CLIENT", description: "The batch was marked as failed by its producer" }]
        return
      }
      case "REVERT": {
        if (record.status === "inactive" || record.status === "deleted") return
        if (record.status !== "success" && record.status !== "active") {
          return yield* serviceError(400, `Batch ${batchId} is ${record.status}: only a successful batch can be reverted`)
        }
        entry.revertAt = now
        touch("inactive")
        return
      }
    }
  })
