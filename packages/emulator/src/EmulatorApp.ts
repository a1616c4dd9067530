/**
 * The emulator's HTTP surface, as an `@effect/platform` HttpApp on the same paths as Adobe's
 * hosts. Runtime-agnostic: `Emulator` serves it from Node, and it could be served from anything
 * that runs an HttpApp.
 *
 * What it answers follows Adobe's documentation (see the README's emulator section for the
 * choices made where the documentation is silent).
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as EmulatorState from "./EmulatorState.js"

/**
 * An answer the emulator gives instead of the happy path: a gateway refusal or a service error.
 * Handlers fail with it; `make` turns it into the response.
 *
 * @since 0.1.0
 * @category errors
 */
export class Refusal extends Data.TaggedError("Refusal")<{
  readonly status: number
  readonly body: Record<string, unknown>
}> {}

/**
 * The gateway's form: `{ error_code, message }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const gatewayError = (status: number, errorCode: string, message: string): Refusal =>
  new Refusal({ status, body: { error_code: errorCode, message } })

const titles: Record<number, string> = {
  400: "BadRequestError",
  404: "NotFoundError",
  415: "UnsupportedMediaTypeError",
  500: "InternalServerError"
}

/**
 * The services' problem form: `{ type, status, title, detail }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const serviceError = (status: number, detail: string): Refusal =>
  new Refusal({
    status,
    body: {
      type: `http://ns.adobe.com/aep/errors/emulator-${status}`,
      status,
      title: titles[status] ?? "Error",
      detail
    }
  })

/**
 * Who called, once the gateway let the request through.
 *
 * @since 0.1.0
 * @category models
 */
export interface Caller {
  readonly orgId: string
  readonly clientId: string
  readonly sandboxName: string
}

/**
 * The gateway's checks, in the order the emulator applies them: token present, API key present,
 * token valid, API key known, org header present, org matches the token, sandbox exists.
 *
 * @since 0.1.0
 * @category gateway
 */
export const authenticate = (
  state: EmulatorState.EmulatorState,
  headers: Headers.Headers
): Effect.Effect<Caller, Refusal> =>
  Effect.gen(function*() {
    const header = (name: string) => Option.getOrUndefined(Headers.get(headers, name))?.trim()
    const authorization = header("authorization")
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (token === undefined) return yield* gatewayError(403, "403010", "Oauth token is missing.")
    const apiKey = header("x-api-key")
    if (apiKey === undefined || apiKey === "") return yield* gatewayError(403, "403000", "Api Key is required")
    const grant = state.tokens.get(token)
    const now = yield* Clock.currentTimeMillis
    if (grant === undefined || (grant.expiresAt !== undefined && grant.expiresAt <= now)) {
      return yield* gatewayError(401, "401013", "Oauth token is not valid")
    }
    if (apiKey !== state.apiKey) return yield* gatewayError(403, "403003", "Api Key is invalid")
    const orgId = header("x-gw-ims-org-id")
    if (orgId === undefined || orgId === "") return yield* gatewayError(400, "400003", "Missing header")
    if (orgId !== grant.orgId) return yield* gatewayError(403, "403025", "Profile is not valid")
    const sandboxName = header("x-sandbox-name") || "prod"
    if (!state.sandboxes.has(sandboxName)) {
      return yield* serviceError(404, `Sandbox '${sandboxName}' was not found in organization ${orgId}`)
    }
    return { orgId, clientId: grant.clientId, sandboxName }
  })

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

const respond = (refusal: Refusal) => HttpServerResponse.unsafeJson(refusal.body, { status: refusal.status })

const handle = (
  state: EmulatorState.EmulatorState,
  handler: (
    caller: Caller,
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, Refusal, HttpRouter.RouteContext>
) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const caller = yield* authenticate(state, request.headers)
    return yield* handler(caller, request)
  }).pipe(Effect.catchTag("Refusal", (refusal) => Effect.succeed(respond(refusal))))

/**
 * The router with every endpoint the emulator serves.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (state: EmulatorState.EmulatorState) =>
  HttpRouter.empty.pipe(
    HttpRouter.post(
      "/data/foundation/import/batches",
      handle(state, (caller, request) =>
        Effect.gen(function*() {
          const text = yield* request.text.pipe(
            Effect.mapError(() => serviceError(400, "The request body could not be read"))
          )
          const batch = yield* createBatch(state, caller, Option.getOrUndefined(Headers.get(request.headers, "content-type")), text)
          return HttpServerResponse.unsafeJson(publicBatch(batch), { status: 201 })
        }))
    ),
    HttpRouter.get(
      "/data/foundation/catalog/batches/:batchId",
      handle(state, (caller) =>
        Effect.gen(function*() {
          const { batchId } = yield* HttpRouter.params
          const batch = batchId === undefined ? undefined : state.batch(caller.sandboxName, batchId)
          if (batch === undefined) return yield* serviceError(404, `Batch ${batchId ?? ""} was not found`)
          return HttpServerResponse.unsafeJson({ [batch.id]: publicBatch(batch) })
        }))
    )
  )

// The request options the service keeps but does not echo as fields of their own (the tags carry them).
const publicBatch = (batch: EmulatorState.BatchRecord): Record<string, unknown> => {
  const { enableErrorDiagnostics: _d, partialIngestionPercentage: _p, ...rest } = batch
  return rest
}

/**
 * The whole emulator as an HttpApp: every answer carries an `x-request-id`, unknown paths answer
 * 404 in the services' form, and a defect answers 500 instead of dropping the connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (state: EmulatorState.EmulatorState): HttpApp.Default<never, never> => {
  const app = router(state).pipe(
    Effect.catchTag("RouteNotFound", (error) =>
      Effect.succeed(respond(serviceError(404, `No endpoint at ${error.request.method} ${error.request.url}`)))),
    Effect.catchAllCause((cause) =>
      Effect.as(
        Effect.logError("emulator: unexpected failure", cause),
        respond(serviceError(500, "The emulator failed unexpectedly; see its log"))
      )
    )
  )
  return Effect.map(app, (response) => HttpServerResponse.setHeader(response, "x-request-id", crypto.randomUUID()))
}
