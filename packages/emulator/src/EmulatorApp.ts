/**
 * The emulator's HTTP surface, as an `@effect/platform` HttpApp on the same paths as Adobe's
 * hosts (the platform APIs and IMS share one origin), plus the control API under `/__emulator/`.
 * Runtime-agnostic: `Emulator` serves it from Node, `EmulatorHttpClient` calls it without a
 * socket.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as BatchIngestion from "./BatchIngestion.js"
import * as Catalog from "./Catalog.js"
import * as Control from "./Control.js"
import * as DataAccess from "./DataAccess.js"
import type * as EmulatorState from "./EmulatorState.js"
import * as Faults from "./Faults.js"
import * as FileUpload from "./FileUpload.js"
import * as Gateway from "./Gateway.js"
import * as Ims from "./Ims.js"
import { type Refusal, respond, serviceError } from "./Refusal.js"

const importPath = "/data/foundation/import"
const catalogPath = "/data/foundation/catalog"
const exportPath = "/data/foundation/export"

const query = (request: HttpServerRequest.HttpServerRequest) => new URL(request.url, "http://emulator").searchParams

const param = (name: string) =>
  Effect.flatMap(HttpRouter.params, (params) => {
    const value = params[name]
    return value === undefined || value === "" ? Effect.fail(serviceError(400, `${name} is missing`)) : Effect.succeed(value)
  })

const readBody = (request: HttpServerRequest.HttpServerRequest) =>
  Effect.mapError(request.text, () => serviceError(400, "The request body could not be read"))

// The file path is taken from the raw request target: a parsed URL would already have resolved
// `..` and `%2e%2e`, hiding exactly what must be refused.
const fileRoute = /^\/data\/foundation\/import\/batches\/([^/?#]+)\/datasets\/([^/?#]+)\/files\/([^?#]*)/

const fileRequest = <A, R>(
  state: EmulatorState.EmulatorState,
  operation: string,
  handler: (
    entry: EmulatorState.BatchEntry,
    name: string,
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<A, Refusal, R>,
  answer: (a: A) => HttpServerResponse.HttpServerResponse
) =>
  Gateway.endpoint(state, operation, (caller, request) =>
    Effect.gen(function*() {
      const match = request.url.match(fileRoute)
      if (match === null) return yield* serviceError(400, "The file path is missing")
      const name = FileUpload.parseFilePath(match[3]!)
      if (typeof name !== "string") return yield* name
      const entry = yield* FileUpload.loadingBatch(state, caller, match[1]!, match[2]!)
      return answer(yield* handler(entry, name, request))
    }))

const json = (body: unknown, status = 200) => HttpServerResponse.unsafeJson(body, { status })

const dataAccessAnswer = (answer: DataAccess.Answer) =>
  answer._tag === "Listing"
    ? json(answer.body)
    : HttpServerResponse.uint8Array(answer.bytes, { contentType: answer.contentType })

const base = (request: HttpServerRequest.HttpServerRequest) => `http://${request.headers["host"] ?? "127.0.0.1"}`

/**
 * The router with every endpoint the emulator serves.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (state: EmulatorState.EmulatorState) =>
  HttpRouter.empty.pipe(
    HttpRouter.post("/ims/token/v3", Ims.token(state)),
    HttpRouter.post(
      `${importPath}/batches`,
      Gateway.endpoint(state, "batches.create", (caller, request) =>
        Effect.gen(function*() {
          const batch = yield* BatchIngestion.createBatch(state, caller, request.headers["content-type"], yield* readBody(request))
          return json(BatchIngestion.publicBatch(batch), 201)
        }))
    ),
    HttpRouter.post(
      `${importPath}/batches/:batchId`,
      Gateway.endpoint(state, "batches.signal", (caller, request) =>
        Effect.gen(function*() {
          yield* BatchIngestion.signal(state, caller, yield* param("batchId"), query(request).get("action") ?? undefined)
          return HttpServerResponse.empty({ status: 200 })
        }))
    ),
    HttpRouter.put(
      `${importPath}/batches/:batchId/datasets/:datasetId/files/*`,
      fileRequest(
        state,
        "files.put",
        (entry, name, request) => FileUpload.putFile(state, entry, name, request.headers["content-type"], request.stream),
        (result) => HttpServerResponse.empty({ status: result.status })
      )
    ),
    HttpRouter.post(
      `${importPath}/batches/:batchId/datasets/:datasetId/files/*`,
      fileRequest(
        state,
        "files.action",
        (entry, name, request) => {
          const action = query(request).get("action")?.toUpperCase()
          if (action === "INITIALIZE") {
            return Effect.as(FileUpload.initialize(state, entry, name), HttpServerResponse.empty({ status: 201 }))
          }
          if (action === "COMPLETE") return Effect.map(FileUpload.completeFile(entry, name), (file) => json(file, 201))
          return Effect.fail(serviceError(400, "action must be INITIALIZE or COMPLETE"))
        },
        (response) => response
      )
    ),
    HttpRouter.patch(
      `${importPath}/batches/:batchId/datasets/:datasetId/files/*`,
      fileRequest(
        state,
        "files.patch",
        (entry, name, request) =>
          Effect.flatMap(
            Effect.mapError(request.arrayBuffer, () => serviceError(400, "The request body could not be read")),
            (buffer) =>
              FileUpload.patchChunk(
                state,
                entry,
                name,
                request.headers["content-type"],
                request.headers["content-range"],
                new Uint8Array(buffer)
              )
          ),
        (file) => json(file)
      )
    ),
    HttpRouter.head(
      `${importPath}/batches/:batchId/datasets/:datasetId/files/*`,
      Gateway.endpoint(state, "files.head", (caller, request) =>
        Effect.gen(function*() {
          const match = request.url.match(fileRoute)
          const name = match === null ? undefined : FileUpload.parseFilePath(match[3]!)
          if (typeof name !== "string") return yield* serviceError(400, "The file path is not valid")
          const file = state.entry(caller.sandboxName, match![1]!)?.files.get(name)
          if (file === undefined) return yield* serviceError(404, `File ${name} was not found`)
          return HttpServerResponse.empty({ status: 200, headers: { range: FileUpload.receivedRanges(file) } })
        }))
    ),
    HttpRouter.get(
      `${catalogPath}/batches`,
      Gateway.endpoint(state, "catalog.listBatches", (caller, request) =>
        Effect.map(Catalog.listBatches(state, caller, query(request)), (body) => json(body)))
    ),
    HttpRouter.get(
      `${catalogPath}/batches/:batchId`,
      Gateway.endpoint(state, "catalog.getBatch", (caller) =>
        Effect.flatMap(param("batchId"), (batchId) => Effect.map(Catalog.getBatch(state, caller, batchId), (body) => json(body))))
    ),
    HttpRouter.get(
      `${catalogPath}/lastBatches`,
      Gateway.endpoint(state, "catalog.lastBatches", (caller, request) =>
        Effect.map(Catalog.lastBatches(state, caller, query(request)), (body) => json(body)))
    ),
    HttpRouter.get(
      `${catalogPath}/dataSets/:datasetId`,
      Gateway.endpoint(state, "catalog.getDataset", (caller) =>
        Effect.flatMap(param("datasetId"), (id) => Effect.map(Catalog.getDataset(state, caller, id), (body) => json(body))))
    ),
    HttpRouter.post(
      `${catalogPath}/dataSets`,
      Gateway.endpoint(state, "catalog.createDataset", (caller, request) =>
        Effect.gen(function*() {
          const dataset = yield* Catalog.createDataset(state, caller, yield* readBody(request))
          return HttpServerResponse.unsafeJson([`@/dataSets/${dataset.id}`], {
            status: 201,
            headers: { location: `${catalogPath}/dataSets/${dataset.id}` }
          })
        }))
    ),
    HttpRouter.get(
      `${exportPath}/batches/:batchId/failed`,
      Gateway.endpoint(state, "dataAccess.failed", (caller, request) =>
        Effect.flatMap(param("batchId"), (batchId) =>
          Effect.map(DataAccess.failed(state, caller, batchId, query(request).get("path"), base(request)), dataAccessAnswer)))
    ),
    HttpRouter.get(
      `${exportPath}/batches/:batchId/meta`,
      Gateway.endpoint(state, "dataAccess.meta", (caller, request) =>
        Effect.flatMap(param("batchId"), (batchId) =>
          Effect.map(DataAccess.meta(state, caller, batchId, query(request).get("path"), base(request)), dataAccessAnswer)))
    ),
    HttpRouter.concat(Control.router(state))
  )

/**
 * The whole emulator as an HttpApp: URLs over the documented length answer 414, fault rules
 * apply, every answer carries an `x-request-id`, unknown paths answer 404 in the services' form,
 * and a defect answers 500 instead of dropping the connection.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (state: EmulatorState.EmulatorState): HttpApp.Default<never, never> => {
  const routed = router(state).pipe(
    Effect.catchTag("RouteNotFound", (error) =>
      Effect.succeed(respond(serviceError(404, `No endpoint at ${error.request.method} ${error.request.url}`))))
  )
  const limited = Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
    request.url.length > state.limits.urlLength
      ? Effect.succeed(respond(serviceError(414, `The URL is longer than ${state.limits.urlLength} characters`)))
      : Faults.middleware(state, routed))
  const app = limited.pipe(
    Effect.catchAllCause((cause) =>
      // A connection dropped on purpose (fault injection) ends the request here.
      Cause.isInterruptedOnly(cause)
        ? Effect.failCause(cause)
        : Effect.as(
          Effect.logError("emulator: unexpected failure", cause),
          respond(serviceError(500, "The emulator failed unexpectedly; see its log"))
        )
    )
  )
  return Effect.map(app, (response) => HttpServerResponse.setHeader(response, "x-request-id", crypto.randomUUID()))
}
