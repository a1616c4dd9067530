/**
 * The emulator's HTTP surface, as an `@effect/platform` HttpApp on the same paths as Adobe's
 * hosts (platform APIs and IMS share one origin). Runtime-agnostic: `Emulator` serves it from
 * Node, `EmulatorHttpClient` calls it without a socket.
 *
 * @since 0.1.0
 */
import type * as HttpApp from "@effect/platform/HttpApp"
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Effect from "effect/Effect"
import * as BatchIngestion from "./BatchIngestion.js"
import type * as EmulatorState from "./EmulatorState.js"
import * as Gateway from "./Gateway.js"
import * as Ims from "./Ims.js"
import { respond, serviceError } from "./Refusal.js"

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
      "/data/foundation/import/batches",
      Gateway.endpoint(state, "batches.create", (caller, request) =>
        Effect.gen(function*() {
          const text = yield* request.text.pipe(
            Effect.mapError(() => serviceError(400, "The request body could not be read"))
          )
          const batch = yield* BatchIngestion.createBatch(state, caller, request.headers["content-type"], text)
          return HttpServerResponse.unsafeJson(BatchIngestion.publicBatch(batch), { status: 201 })
        }))
    ),
    HttpRouter.get(
      "/data/foundation/catalog/batches/:batchId",
      Gateway.endpoint(state, "catalog.getBatch", (caller) =>
        Effect.gen(function*() {
          const { batchId } = yield* HttpRouter.params
          const batch = batchId === undefined ? undefined : state.batch(caller.sandboxName, batchId)
          if (batch === undefined) return yield* serviceError(404, `Batch ${batchId ?? ""} was not found`)
          return HttpServerResponse.unsafeJson({ [batch.id]: BatchIngestion.publicBatch(batch) })
        }))
    )
  )

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
