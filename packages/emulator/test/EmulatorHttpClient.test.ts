import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Schema, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as EmulatorHttpClient from "../src/EmulatorHttpClient.js"
import * as Schemas from "../src/Schemas.js"
import { decode, headers, parquet } from "./support.js"

const at = (path: string) => `${EmulatorHttpClient.url}${path}`

const createRequest = HttpClientRequest.post(at("/data/foundation/import/batches")).pipe(
  HttpClientRequest.setHeaders(headers),
  HttpClientRequest.bodyText(JSON.stringify({ datasetId: Demo.datasetId }), "application/json")
)

/** Executes `request` and decodes its JSON body with `schema`, after checking the status. */
const json = <A, I>(request: HttpClientRequest.HttpClientRequest, status: number, schema: Schema.Schema<A, I>) =>
  Effect.gen(function*() {
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(request)
    const text = yield* response.text
    assert.strictEqual(response.status, status, text)
    return decode(schema, JSON.parse(text))
  })

const counters = json(HttpClientRequest.get(at("/__emulator/counters")), 200, Schemas.Counters)

const setFaults = (plan: unknown) =>
  json(HttpClientRequest.post(at("/__emulator/faults")).pipe(HttpClientRequest.bodyUnsafeJson(plan)), 200, Schemas.FaultRules)

const onCreate = (fault: unknown) => ({ rules: [{ method: "POST", path: "/import/batches$", fault }] })

describe("EmulatorHttpClient", () => {
  it.layer(EmulatorHttpClient.layer({ processingDelayMillis: 100 }))((it) => {
    it.effect("answers a create from the emulator in the same process", () =>
      Effect.gen(function*() {
        const batch = yield* json(createRequest, 201, Schemas.Batch)
        assert.strictEqual(batch.status, "loading")
        const byId = yield* json(
          HttpClientRequest.get(at(`/data/foundation/catalog/batches/${batch.id}`)).pipe(HttpClientRequest.setHeaders(headers)),
          200,
          Schemas.BatchesById
        )
        assert.deepStrictEqual(byId[batch.id], batch)
        assert.isAtLeast((yield* counters).batches, 1)
      }))

    it.effect("walks a batch to success on the test clock, file routes included", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const batch = yield* json(createRequest, 201, Schemas.Batch)
        const put = yield* client.execute(
          HttpClientRequest.put(at(`/data/foundation/import/batches/${batch.id}/datasets/${Demo.datasetId}/files/dir/a.parquet`)).pipe(
            HttpClientRequest.setHeaders(headers),
            HttpClientRequest.bodyUint8Array(parquet(5), "application/octet-stream")
          )
        )
        assert.strictEqual(put.status, 201)
        const complete = yield* client.execute(
          HttpClientRequest.post(at(`/data/foundation/import/batches/${batch.id}?action=COMPLETE`)).pipe(
            HttpClientRequest.setHeaders(headers)
          )
        )
        assert.strictEqual(complete.status, 200)
        yield* TestClock.adjust(Duration.millis(100))
        const done = yield* json(
          HttpClientRequest.get(at(`/data/foundation/catalog/batches/${batch.id}`)).pipe(HttpClientRequest.setHeaders(headers)),
          200,
          Schemas.BatchesById
        )
        assert.strictEqual(done[batch.id]?.status, "success")
        assert.strictEqual(done[batch.id]?.recordCount, 5)
      }))

    it.effect("turns an injected connection reset into a transport error, with no batch created", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const before = (yield* counters).batches
        yield* setFaults(onCreate({ type: "reset", when: "before" }))
        const result = yield* Effect.either(client.execute(createRequest))
        assert.isTrue(Either.isLeft(result))
        if (Either.isLeft(result)) {
          assert.strictEqual(result.left._tag, "RequestError")
          assert.strictEqual(result.left.reason, "Transport")
        }
        assert.strictEqual((yield* counters).batches, before)
        // The fault fired once: the next create goes through.
        yield* json(createRequest, 201, Schemas.Batch)
      }))

    it.effect("turns an injected truncation into a failed body read after the status", () =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        yield* setFaults(onCreate({ type: "truncate" }))
        const response = yield* client.execute(createRequest)
        assert.strictEqual(response.status, 201)
        const body = yield* Effect.either(response.text)
        assert.isTrue(Either.isLeft(body))
        if (Either.isLeft(body)) assert.strictEqual(body.left._tag, "ResponseError")
      }))
  })
})
