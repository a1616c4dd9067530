/**
 * Every decoder of an answer, fed arbitrary JSON (and some text that is not JSON) through the
 * real client with a canned HttpClient: the outcome is a value or a typed failure, never a
 * defect. Arbitrary JSON alone rarely gets past the first field, so the generators also build
 * answers shaped like the documented ones with any value in any field.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as UrlParams from "@effect/platform/UrlParams"
import { assert, describe, it } from "@effect/vitest"
import * as Arbitrary from "effect/Arbitrary"
import * as Cause from "effect/Cause"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as FastCheck from "effect/FastCheck"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import * as Stream from "effect/Stream"
import * as AepClient from "../src/AepClient.js"
import * as Batch from "../src/Batch.js"
import * as Batches from "../src/Batches.js"
import * as ClientCredentials from "../src/ClientCredentials.js"
import * as Diagnostics from "../src/Diagnostics.js"
import * as RetryPolicy from "../src/RetryPolicy.js"

const batchId = "5d01230fc78a4e4f8c0c6b387b4b8d1c"
const clientSecret = "PROP-secret-0b9d"

interface Answer {
  readonly status: number
  readonly body: string
}

/** An HttpClient that answers every request with `answer(request)`. */
const canned = (answer: (request: HttpClientRequest.HttpClientRequest) => Answer) =>
  HttpClient.make((request) =>
    Effect.sync(() => {
      const { body, status } = answer(request)
      return HttpClientResponse.fromWeb(request, new Response(body, { status, headers: { "content-type": "application/json" } }))
    })
  )

const clientWith = (httpClient: HttpClient.HttpClient) =>
  AepClient.layerWith({ orgId: "5C1328435BF324E90A49402A@AdobeOrg", apiKey: "key", accessToken: "token" }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)),
    // One attempt: the decoders are the subject, not the retries.
    Layer.provide(RetryPolicy.layer({ request: RetryPolicy.disabled, upload: RetryPolicy.disabled })),
    Layer.orDie
  )

/** A success, or a failure with one of `tags`: never a defect, never an interruption. */
const assertTyped = <A, E>(exit: Exit.Exit<A, E>, tags: ReadonlyArray<string>) => {
  if (Exit.isSuccess(exit)) return
  assert.isFalse(Cause.isDie(exit.cause), `a defect: ${Cause.pretty(exit.cause)}`)
  assert.isFalse(Cause.isInterrupted(exit.cause), "interrupted")
  const failure = Cause.failureOption(exit.cause)
  assert.isTrue(Option.isSome(failure), Cause.pretty(exit.cause))
  const error = Option.getOrThrow(failure) as { readonly _tag: string; readonly message: string }
  assert.include(tags, error._tag)
  // Rendering the error must not throw either.
  assert.isString(error.message)
  assert.isString(JSON.stringify(error))
}

// Any JSON value; numbers include the extremes, strings the odd characters.
const anything = FastCheck.jsonValue({ maxDepth: 3 })
// Epoch milliseconds: mostly plausible, sometimes past what a date can hold, or not a number.
const timestamp = FastCheck.oneof(
  { arbitrary: FastCheck.integer({ min: 0, max: 4_102_444_800_000 }), weight: 8 },
  { arbitrary: FastCheck.constantFrom(-1, 0.5, 8.64e15, 8.64e15 + 1, 1e300, -1e300, Number.MAX_SAFE_INTEGER), weight: 1 },
  { arbitrary: FastCheck.double({ noNaN: true, noDefaultInfinity: true }), weight: 1 },
  { arbitrary: anything, weight: 1 }
)
const optionalRecord = <T>(fields: { [K in keyof T]: FastCheck.Arbitrary<T[K]> }) =>
  FastCheck.record(fields, { requiredKeys: [] })
const orAnything = <T>(arbitrary: FastCheck.Arbitrary<T>) => FastCheck.oneof(arbitrary, anything)
// Mostly the documented type, sometimes anything: deep enough to reach every field's decoder.
const mostly = <T>(arbitrary: FastCheck.Arbitrary<T>) =>
  FastCheck.oneof({ arbitrary, weight: 15 }, { arbitrary: anything, weight: 1 })

const batchFields = {
  imsOrg: mostly(FastCheck.string()),
  created: mostly(timestamp),
  updated: mostly(timestamp),
  started: mostly(timestamp),
  completed: mostly(timestamp),
  externalId: mostly(FastCheck.string()),
  relatedObjects: mostly(FastCheck.array(FastCheck.record({ type: mostly(FastCheck.constant("dataSet")), id: mostly(FastCheck.string()) }))),
  tags: mostly(FastCheck.dictionary(
    FastCheck.string(),
    mostly(FastCheck.oneof(FastCheck.array(FastCheck.oneof(FastCheck.string(), FastCheck.integer(), FastCheck.boolean())), FastCheck.string(), FastCheck.boolean(), FastCheck.constant(null)))
  )),
  inputFormat: mostly(optionalRecord({
    format: mostly(FastCheck.string()),
    isMultiLineJson: mostly(FastCheck.boolean()),
    header: mostly(FastCheck.oneof(FastCheck.boolean(), FastCheck.string()))
  })),
  replay: mostly(optionalRecord({ predecessors: mostly(FastCheck.array(FastCheck.string())), reason: mostly(FastCheck.string()) })),
  errors: mostly(FastCheck.array(FastCheck.record({
    code: mostly(FastCheck.oneof(FastCheck.string(), FastCheck.integer())),
    description: mostly(FastCheck.string()),
    rows: mostly(FastCheck.array(anything, { maxLength: 2 })),
    recordCount: mostly(FastCheck.integer())
  }, { requiredKeys: ["code"] }))),
  metrics: mostly(FastCheck.dictionary(FastCheck.string(), anything)),
  recordCount: mostly(FastCheck.integer()),
  failedRecordCount: mostly(FastCheck.integer()),
  size: mostly(FastCheck.integer()),
  availableDates: mostly(optionalRecord({ startDate: timestamp, endDate: timestamp }))
}

/** An object shaped like a batch: either any field any value, or id and status present. */
const batchLike = FastCheck.oneof(
  optionalRecord({
    id: orAnything(FastCheck.string()),
    status: orAnything(FastCheck.constantFrom("loading", "staging", "success", "failed", "active", "retrying", "")),
    ...batchFields
  }),
  FastCheck.record({
    id: FastCheck.string(),
    status: FastCheck.oneof(FastCheck.constantFrom("loading", "success", "failed"), FastCheck.string()),
    ...batchFields
  }, { requiredKeys: ["id", "status"] })
)

/** A body: any JSON, text that is not JSON, or `shaped` as JSON. */
const bodyOf = (shaped: FastCheck.Arbitrary<unknown>): FastCheck.Arbitrary<string> =>
  FastCheck.oneof(
    { arbitrary: anything.map((value) => JSON.stringify(value)), weight: 2 },
    { arbitrary: FastCheck.string(), weight: 1 },
    { arbitrary: shaped.map((value) => JSON.stringify(value)), weight: 4 }
  )

const keyed = FastCheck.oneof(
  FastCheck.dictionary(FastCheck.string(), mostly(batchLike), { maxKeys: 5 }),
  { arbitrary: batchLike.map((batch) => ({ [batchId]: batch })), weight: 3 }
)

const listing = optionalRecord({
  data: orAnything(FastCheck.array(orAnything(optionalRecord({
    name: orAnything(FastCheck.string()),
    length: orAnything(FastCheck.oneof(FastCheck.integer().map(String), FastCheck.integer())),
    _links: orAnything(optionalRecord({ self: orAnything(optionalRecord({ href: anything })) }))
  })), { maxLength: 3 })),
  _page: orAnything(optionalRecord({ limit: anything, count: anything }))
})

const rowErrorLine = optionalRecord({
  _corrupt_record: anything,
  _errors: orAnything(FastCheck.array(orAnything(optionalRecord({ code: anything, message: anything })))),
  _filename: anything
})

const lines = FastCheck.array(
  FastCheck.oneof(
    { arbitrary: rowErrorLine.map((line) => JSON.stringify(line)), weight: 3 },
    { arbitrary: anything.map((value) => JSON.stringify(value)), weight: 1 },
    { arbitrary: FastCheck.string(), weight: 1 }
  ),
  { maxLength: 4 }
).map((all) => all.join("\n"))

const success = FastCheck.constantFrom(200, 201, 202)

const jsonSafe = (value: unknown): boolean =>
  typeof value === "number"
    ? Number.isFinite(value)
    : typeof value === "object" && value !== null
    ? Object.values(value).every(jsonSafe)
    : true
const decoded = ["AepDecodeError"]

describe("response decoders never die", () => {
  it.effect.prop("Batches.create: the create answer (Batch)", [success, bodyOf(batchLike)], ([status, body]) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Batches.create({ datasetId: "5c8c3c555033b814b69f947f" }).pipe(Effect.provide(clientWith(canned(() => ({ status, body })))))
      )
      assertTyped(exit, decoded)
      if (Exit.isSuccess(exit)) assert.isString(exit.value.id)
    }))

  it.effect.prop("Batches.get: the Catalog answer (Batch.Keyed)", [success, bodyOf(keyed)], ([status, body]) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Batches.get(batchId).pipe(Effect.provide(clientWith(canned(() => ({ status, body }))))))
      assertTyped(exit, decoded)
      if (Exit.isSuccess(exit)) {
        assert.strictEqual(exit.value.id, batchId)
        // What a caller does with a batch must not throw either.
        assert.isBoolean(Batch.isTerminal(exit.value.status))
        assert.doesNotThrow(() => exit.value.datasetId)
      }
    }))

  it.effect.prop("Batches.list: the Catalog listing (Batch.Keyed, paged)", [success, bodyOf(keyed)], ([status, body]) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Stream.runCollect(Batches.list().pipe(Stream.take(500))).pipe(Effect.provide(clientWith(canned(() => ({ status, body })))))
      )
      assertTyped(exit, decoded)
    }))

  it.effect.prop("Diagnostics.failedFiles: the Data Access listing", [success, bodyOf(listing)], ([status, body]) =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(
        Diagnostics.failedFiles(batchId).pipe(Effect.provide(clientWith(canned(() => ({ status, body })))))
      )
      assertTyped(exit, decoded)
    }))

  it.effect.prop(
    "Diagnostics.rowErrors: the meta listing, then each file's row-error lines",
    [bodyOf(listing), FastCheck.array(FastCheck.string({ minLength: 1 }), { minLength: 1, maxLength: 3 }), lines],
    ([listingBody, names, lineBody]) =>
      Effect.gen(function*() {
        // Half the runs get a listing that names real files, so the lines are read.
        const validListing = JSON.stringify({ data: names.map((name) => ({ name: `row_errors/${name}` })) })
        const http = canned((request) => {
          const path = UrlParams.getFirst(request.urlParams, "path")
          return path._tag === "Some" && path.value === "row_errors"
            ? { status: 200, body: names.length % 2 === 0 ? listingBody : validListing }
            : { status: 200, body: lineBody }
        })
        const exit = yield* Effect.exit(Diagnostics.rowErrors(batchId).pipe(Effect.provide(clientWith(http))))
        assertTyped(exit, decoded)
      })
  )

  it.effect.prop(
    "ClientCredentials.exchange: the IMS answer, any status; the secret never in an error",
    [
      FastCheck.oneof(success, FastCheck.integer({ min: 300, max: 599 }).filter((s) => s !== 304)),
      bodyOf(optionalRecord({
        access_token: orAnything(FastCheck.string()),
        token_type: anything,
        expires_in: orAnything(FastCheck.oneof(FastCheck.integer(), FastCheck.double({ noNaN: true }))),
        error: orAnything(FastCheck.constantFrom("invalid_client", "invalid_scope", `${clientSecret} echoed`)),
        error_description: orAnything(FastCheck.constant(`the secret ${clientSecret} is wrong`))
      }))
    ],
    ([status, body]) =>
      Effect.gen(function*() {
        const credentials = Either.getOrThrow(ClientCredentials.make({ clientId: "prop-client", clientSecret, imsUrl: "http://127.0.0.1:1" }))
        const exit = yield* Effect.exit(
          ClientCredentials.exchange(credentials).pipe(
            Effect.provideService(HttpClient.HttpClient, canned(() => ({ status, body }))),
            RetryPolicy.withPolicy(RetryPolicy.disabled)
          )
        )
        assertTyped(exit, ["AepAuthError"])
        if (Exit.isFailure(exit)) assert.notInclude(Cause.pretty(exit.cause), clientSecret)
        if (Exit.isSuccess(exit)) assert.isTrue(Duration.isFinite(exit.value.expiresIn))
      })
  )

  it.effect.prop(
    "error answers: any body with any status from 400 to 599 is an AepHttpError",
    [FastCheck.integer({ min: 400, max: 599 }), bodyOf(optionalRecord({
      error_code: anything,
      message: anything,
      type: anything,
      title: anything,
      detail: anything,
      status: anything
    }))],
    ([status, body]) =>
      Effect.gen(function*() {
        const exit = yield* Effect.exit(Batches.get(batchId).pipe(Effect.provide(clientWith(canned(() => ({ status, body }))))))
        assertTyped(exit, ["AepHttpError"])
        assert.isTrue(Exit.isFailure(exit))
      })
  )

  it.effect.prop(
    "a Batch as AEP documents it, in any valid form, decodes to itself",
    // JSON has no Infinity or NaN: a batch holding one cannot be sent, so none is generated.
    [Arbitrary.make(Batch.Batch).filter((batch) => jsonSafe(Schema.encodeSync(Batch.Batch)(batch)))],
    ([batch]) =>
      Effect.gen(function*() {
        const body = JSON.stringify(Schema.encodeSync(Batch.Batch)(batch))
        const got = yield* Batches.create({ datasetId: "5c8c3c555033b814b69f947f" }).pipe(
          Effect.provide(clientWith(canned(() => ({ status: 201, body }))))
        )
        assert.strictEqual(got.id, batch.id)
        assert.strictEqual(got.status, batch.status)
      })
  )
})
