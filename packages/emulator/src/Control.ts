/**
 * The control API under `/__emulator/` (a prefix no Adobe API uses): counters, reset, token
 * revocation, datasets and fault injection, so tests can arrange situations and assert
 * "exactly one batch", "exactly one token request". It needs no credentials.
 *
 * | endpoint | |
 * | --- | --- |
 * | `GET /__emulator/counters` | requests per operation, batches, tokens issued |
 * | `POST /__emulator/reset` | forget everything, seed anew, clear faults |
 * | `POST /__emulator/tokens/revoke` | revoke every token IMS issued |
 * | `POST /__emulator/datasets` | `{ id?, name?, sandboxName? }` → the dataset |
 * | `GET`, `POST`, `DELETE /__emulator/faults` | read, set (`{ rules, seed? }`), clear fault rules |
 *
 * @since 0.1.0
 */
import * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as EmulatorState from "./EmulatorState.js"
import * as Faults from "./Faults.js"
import { respond, serviceError } from "./Refusal.js"

/**
 * What `GET /__emulator/counters` answers.
 *
 * @since 0.1.0
 * @category models
 */
export const Counters = Schema.Struct({
  counters: Schema.Record({ key: Schema.String, value: Schema.Number }),
  batches: Schema.Number,
  tokensIssued: Schema.Number
})

/**
 * The body of `POST /__emulator/datasets`.
 *
 * @since 0.1.0
 * @category models
 */
export const NewDataset = Schema.Struct({
  id: Schema.optional(Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,64}$/))),
  name: Schema.optional(Schema.String),
  sandboxName: Schema.optional(Schema.String.pipe(Schema.pattern(/^[a-z0-9][a-z0-9-]*$/)))
})

const readJson = <A, I>(schema: Schema.Schema<A, I>) =>
  Effect.gen(function*() {
    const request = yield* HttpServerRequest.HttpServerRequest
    const text = yield* Effect.orElseSucceed(request.text, () => "")
    return yield* Effect.try(() => JSON.parse(text === "" ? "{}" : text) as unknown).pipe(
      Effect.flatMap(Schema.decodeUnknown(schema)),
      Effect.mapError((error) => serviceError(400, `Invalid control request: ${String(error)}`))
    )
  })

/**
 * The control routes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const router = (state: EmulatorState.EmulatorState) =>
  HttpRouter.empty.pipe(
    HttpRouter.get(
      "/__emulator/counters",
      Effect.sync(() =>
        HttpServerResponse.unsafeJson({
          counters: Object.fromEntries(state.counters),
          batches: state.batches.size,
          tokensIssued: state.counter("ims.tokensIssued")
        })
      )
    ),
    HttpRouter.post(
      "/__emulator/reset",
      Effect.map(Clock.currentTimeMillis, (now) => {
        state.reset(now)
        return HttpServerResponse.empty({ status: 204 })
      })
    ),
    HttpRouter.post(
      "/__emulator/tokens/revoke",
      Effect.sync(() => HttpServerResponse.unsafeJson({ revoked: state.revokeIssuedTokens() }))
    ),
    HttpRouter.post(
      "/__emulator/datasets",
      Effect.gen(function*() {
        const body = yield* readJson(NewDataset)
        const now = yield* Clock.currentTimeMillis
        const id = body.id ?? EmulatorState.newDatasetId()
        const dataset = state.addDataset(body.sandboxName ?? "prod", id, now, body.name)
        return HttpServerResponse.unsafeJson(dataset, { status: 201 })
      }).pipe(Effect.catchTag("Refusal", (refusal) => Effect.succeed(respond(refusal))))
    ),
    HttpRouter.get("/__emulator/faults", Effect.sync(() => HttpServerResponse.unsafeJson({ rules: state.faults.describe() }))),
    HttpRouter.post(
      "/__emulator/faults",
      Effect.gen(function*() {
        const plan = yield* readJson(Faults.Plan)
        const problem = state.faults.set(plan)
        if (problem !== undefined) return yield* serviceError(400, problem)
        return HttpServerResponse.unsafeJson({ rules: state.faults.describe() })
      }).pipe(Effect.catchTag("Refusal", (refusal) => Effect.succeed(respond(refusal))))
    ),
    HttpRouter.del(
      "/__emulator/faults",
      Effect.sync(() => {
        state.faults.clear()
        return HttpServerResponse.empty({ status: 204 })
      })
    )
  )
