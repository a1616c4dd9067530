import type * as HttpBody from "@effect/platform/HttpBody"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import * as Cause from "effect/Cause"
import * as Context from "effect/Context"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as AepClient from "../src/AepClient.js"
import * as RetryPolicy from "../src/RetryPolicy.js"
import { AepDecodeError, AepHttpError, AepTransportError, AepValidationError } from "../src/AepError.js"
import * as Batches from "../src/Batches.js"
import type * as CreateBatchRequest from "../src/CreateBatchRequest.js"

// Distinctive values: none of them may ever show up in an error.
const accessToken = "tok-SECRET-123"
const apiKey = "key-SECRET-456"
const orgId = "5C1328435BF324E90A49402A@AdobeOrg"
const datasetId = "5c8c3c555033b814b69f947f"
const batchId = "5d01230fc78a4e4f8c0c6b387b4b8d1c"

// The create answer from the Batch Ingestion docs, verbatim.
const seedBatch = {
  id: batchId,
  imsOrg: "{ORG_ID}",
  updated: 1552694873602,
  status: "loading",
  created: 1552694873602,
  relatedObjects: [{ type: "dataSet", id: datasetId }],
  version: "1.0.0",
  tags: {
    acp_producer: ["{CREATED_CLIENT}"],
    acp_stagePath: [`{CREATED_CLIENT}/stage/${batchId}`],
    use_plan_b_batch_status: ["false"]
  },
  createdUser: "{CREATED_BY}",
  updatedUser: "{CREATED_BY}",
  externalId: batchId,
  createdClient: "{CREATED_CLIENT}",
  inputFormat: { format: "parquet" }
}

interface Recorded {
  readonly method: string
  readonly url: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | undefined
}

interface Answer {
  readonly status: number
  readonly body?: string
  readonly headers?: Record<string, string>
}

type Responder = (
  recorded: Recorded,
  request: HttpClientRequest.HttpClientRequest
) => Answer | HttpClientError.HttpClientError

/** Every request that reached the HttpClient, in order. */
class Recorder extends Context.Tag("test/Recorder")<Recorder, { readonly calls: Array<Recorded> }>() {}

const json = (status: number, body: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers }
})

const bodyText = (body: HttpBody.HttpBody): string | undefined => {
  switch (body._tag) {
    case "Empty":
      return undefined
    case "Uint8Array":
      return new TextDecoder().decode(body.body)
    default:
      throw new Error(`unexpected body ${body._tag}`)
  }
}

const testLayer = (
  respond: Responder,
  options: { readonly sandboxName?: string; readonly platformUrl?: string } = {}
): Layer.Layer<AepClient.AepClient | Recorder> => {
  const calls: Array<Recorded> = []
  const httpClient = HttpClient.make((request, url) =>
    Effect.suspend(() => {
      const recorded: Recorded = {
        method: request.method,
        url: url.toString(),
        headers: { ...request.headers },
        body: bodyText(request.body)
      }
      calls.push(recorded)
      const answer = respond(recorded, request)
      if (HttpClientError.isHttpClientError(answer)) return Effect.fail(answer)
      const init: ResponseInit = answer.headers === undefined
        ? { status: answer.status }
        : { status: answer.status, headers: answer.headers }
      return Effect.succeed(HttpClientResponse.fromWeb(request, new Response(answer.body ?? null, init)))
    })
  )
  const client = AepClient.layerWith({ orgId, apiKey, accessToken, ...options }).pipe(
    Layer.provide(Layer.succeed(HttpClient.HttpClient, httpClient)),
    // One attempt per call: what is sent and how answers are read is the subject here; retries
    // have their own tests.
    Layer.provide(RetryPolicy.layer({ request: RetryPolicy.disabled, upload: RetryPolicy.disabled })),
    Layer.orDie
  )
  return Layer.merge(client, Layer.succeed(Recorder, { calls }))
}

const answering = (answer: Answer) => testLayer(() => answer)

const calls = Effect.map(Recorder, (recorder) => recorder.calls)

/** The failure of `effect`, which must fail (not die, not succeed). */
const failure = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const exit = yield* Effect.exit(effect)
    if (Exit.isSuccess(exit)) return assert.fail(`expected a failure, got ${String(exit.value)}`)
    const error = Cause.failureOption(exit.cause)
    if (Option.isNone(error)) return assert.fail(`expected a typed failure, got ${Cause.pretty(exit.cause)}`)
    return { error: error.value, cause: exit.cause }
  })

const assertNoSecrets = (error: unknown, cause: Cause.Cause<unknown>) => {
  const renderings = {
    message: (error as Error).message,
    string: String(error),
    json: JSON.stringify(error),
    pretty: Cause.pretty(cause)
  }
  for (const [how, text] of Object.entries(renderings)) {
    assert.isString(text, how)
    assert.notInclude(text, accessToken, `access token in ${how}`)
    assert.notInclude(text, apiKey, `api key in ${how}`)
  }
}

describe("Batches.create", () => {
  it.effect("POSTs the dataset id alone, with every platform header, and decodes the 201 answer", () =>
    Effect.gen(function*() {
      const batch = yield* Batches.create({ datasetId })
      const [call, ...rest] = yield* calls
      assert.strictEqual(rest.length, 0)
      assert.isDefined(call)
      assert.strictEqual(call!.method, "POST")
      assert.strictEqual(call!.url, "https://platform.adobe.io/data/foundation/import/batches")
      assert.strictEqual(call!.headers["authorization"], `Bearer ${accessToken}`)
      assert.strictEqual(call!.headers["x-api-key"], apiKey)
      assert.strictEqual(call!.headers["x-gw-ims-org-id"], orgId)
      assert.strictEqual(call!.headers["x-sandbox-name"], "prod")
      assert.strictEqual(call!.headers["content-type"], "application/json")
      assert.strictEqual(call!.headers["accept"], "application/json")
      // The dataset id, and the externalId that makes a retried create findable.
      const { externalId, ...body } = JSON.parse(call!.body!)
      assert.deepStrictEqual(body, { datasetId })
      assert.match(externalId, /^effect-aep-[0-9a-f-]{36}$/)

      assert.strictEqual(batch.id, batchId)
      assert.strictEqual(batch.status, "loading")
      assert.strictEqual(batch.datasetId, datasetId)
      assert.strictEqual(batch.externalId, batchId)
      assert.deepStrictEqual(batch.inputFormat, { format: "parquet" })
      assert.isDefined(batch.created)
      assert.isTrue(DateTime.isUtc(batch.created!))
      assert.strictEqual(DateTime.toEpochMillis(batch.created!), 1552694873602)
      assert.isTrue(DateTime.Equivalence(batch.created!, DateTime.unsafeMake(1552694873602)))
    }).pipe(Effect.provide(answering(json(201, seedBatch)))))

  it.effect("sends every option given, with replay predecessors prefixed by $", () =>
    Effect.gen(function*() {
      const input: CreateBatchRequest.Input = {
        datasetId,
        inputFormat: { format: "json", isMultiLineJson: true },
        enableErrorDiagnostics: true,
        partialIngestionPercentage: 5,
        externalId: "my-import-2024-01-01",
        tags: { team: ["data", "ingest"] },
        replay: {
          predecessors: ["01E8043CY305K2MTV5ANH9G1GC", batchId],
          reason: "replace",
          predecessorsByExternalId: ["old-import"]
        }
      }
      yield* Batches.create(input)
      const [call] = yield* calls
      assert.deepStrictEqual(JSON.parse(call!.body!), {
        datasetId,
        inputFormat: { format: "json", isMultiLineJson: true },
        enableErrorDiagnostics: true,
        partialIngestionPercentage: 5,
        externalId: "my-import-2024-01-01",
        tags: { team: ["data", "ingest"] },
        replay: {
          predecessors: ["$01E8043CY305K2MTV5ANH9G1GC", `$${batchId}`],
          reason: "replace",
          predecessorsByExternalId: ["old-import"]
        }
      })
    }).pipe(Effect.provide(answering(json(201, seedBatch)))))

  it.effect("sends the format in lower case when given as the spec spells it (JSON)", () =>
    Effect.gen(function*() {
      yield* Batches.create({ datasetId, inputFormat: { format: "JSON" } })
      const [call] = yield* calls
      const { externalId: _, ...body } = JSON.parse(call!.body!)
      assert.deepStrictEqual(body, { datasetId, inputFormat: { format: "json" } })
    }).pipe(Effect.provide(answering(json(201, seedBatch)))))

  it.effect("sends CSV options with format CSV", () =>
    Effect.gen(function*() {
      yield* Batches.create({ datasetId, inputFormat: { format: "CSV", delimiter: ";", header: true } })
      const [call] = yield* calls
      const { externalId: _, ...body } = JSON.parse(call!.body!)
      assert.deepStrictEqual(body, {
        datasetId,
        inputFormat: { format: "csv", delimiter: ";", header: true }
      })
    }).pipe(Effect.provide(answering(json(201, seedBatch)))))

  it.effect("uses the configured sandbox and platform URL", () =>
    Effect.gen(function*() {
      yield* Batches.create({ datasetId })
      const [call] = yield* calls
      assert.strictEqual(call!.url, "http://127.0.0.1:4010/data/foundation/import/batches")
      assert.strictEqual(call!.headers["x-sandbox-name"], "dev-1")
    }).pipe(
      Effect.provide(testLayer(() => json(201, seedBatch), { sandboxName: "dev-1", platformUrl: "http://127.0.0.1:4010/" }))
    ))
})

describe("Batches.create validation", () => {
  const cases: ReadonlyArray<{ readonly name: string; readonly input: unknown; readonly field: string }> = [
    { name: "missing datasetId", input: {}, field: "datasetId" },
    { name: "empty datasetId", input: { datasetId: "" }, field: "datasetId" },
    { name: "datasetId with /", input: { datasetId: "abc/def" }, field: "datasetId" },
    { name: "datasetId with ..", input: { datasetId: ".." }, field: "datasetId" },
    { name: "datasetId climbing up", input: { datasetId: "../../catalog/batches" }, field: "datasetId" },
    { name: "partialIngestionPercentage 101", input: { datasetId, partialIngestionPercentage: 101 }, field: "partialIngestionPercentage" },
    { name: "partialIngestionPercentage -1", input: { datasetId, partialIngestionPercentage: -1 }, field: "partialIngestionPercentage" },
    { name: "partialIngestionPercentage NaN", input: { datasetId, partialIngestionPercentage: NaN }, field: "partialIngestionPercentage" },
    { name: "format xml", input: { datasetId, inputFormat: { format: "xml" } }, field: "inputFormat.format" },
    {
      name: "isMultiLineJson with parquet",
      input: { datasetId, inputFormat: { format: "parquet", isMultiLineJson: true } },
      field: "inputFormat.isMultiLineJson"
    },
    {
      name: "a CSV option with json",
      input: { datasetId, inputFormat: { format: "json", delimiter: "," } },
      field: "inputFormat.delimiter"
    },
    { name: "unknown extra property", input: { datasetId, partialIngestionPercent: 5 }, field: "partialIngestionPercent" },
    {
      name: "empty replay predecessors",
      input: { datasetId, replay: { predecessors: [], reason: "replace" } },
      // a non-empty array reports its missing first element
      field: "replay.predecessors[0]"
    },
    {
      name: "replay predecessor that is not an id",
      input: { datasetId, replay: { predecessors: ["$abc"], reason: "replace" } },
      field: "replay.predecessors[0]"
    }
  ]

  it.layer(answering(json(201, seedBatch)))((it) => {
    for (const { field, input, name } of cases) {
      it.effect(`${name}: AepValidationError on ${field}, nothing sent`, () =>
        Effect.gen(function*() {
          const before = (yield* calls).length
          const { cause, error } = yield* failure(Batches.create(input as CreateBatchRequest.Input))
          assert.instanceOf(error, AepValidationError)
          const validation = error as AepValidationError
          assert.strictEqual(validation.operation, "Batches.create")
          assert.strictEqual(validation.field, field)
          assert.isTrue(validation.issues.some((issue) => issue.path === field))
          assert.include(validation.message, field)
          assert.strictEqual((yield* calls).length, before, "a request reached the HttpClient")
          assertNoSecrets(error, cause)
        }))
    }

    it.effect("a valid input through the same client does reach it (the counter counts)", () =>
      Effect.gen(function*() {
        const before = (yield* calls).length
        yield* Batches.create({ datasetId })
        assert.strictEqual((yield* calls).length, before + 1)
      }))
  })
})

describe("Batches.create errors", () => {
  it.effect("gateway error form: 401 with error_code and message", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepHttpError)
      const http = error as AepHttpError
      assert.strictEqual(http.status, 401)
      assert.strictEqual(http.errorCode, "401013")
      assert.strictEqual(http.detail, "Oauth token is not valid")
      assert.strictEqual(http.requestId, "req-abc-1")
      assert.strictEqual(http.operation, "Batches.create")
      assert.strictEqual(http.method, "POST")
      assert.strictEqual(http.url, "https://platform.adobe.io/data/foundation/import/batches")
      assert.include(http.message, "401013")
      assert.include(http.message, "req-abc-1")
      assertNoSecrets(error, cause)
    }).pipe(
      Effect.provide(
        answering(json(401, { error_code: "401013", message: "Oauth token is not valid" }, { "x-request-id": "req-abc-1" }))
      )
    ))

  it.effect("service problem form: 400 with type, title and detail", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepHttpError)
      const http = error as AepHttpError
      assert.strictEqual(http.status, 400)
      assert.strictEqual(http.errorCode, "XDM-1010-400")
      assert.strictEqual(http.title, "BadRequestError")
      assert.strictEqual(http.detail, "A valid content-type must be specified")
      assert.isUndefined(http.requestId)
      assertNoSecrets(error, cause)
    }).pipe(Effect.provide(answering(json(400, {
      type: "http://ns.adobe.com/aep/errors/XDM-1010-400",
      status: 400,
      title: "BadRequestError",
      detail: "A valid content-type must be specified"
    })))))

  it.effect("plain text 502 body is kept as detail", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepHttpError)
      const http = error as AepHttpError
      assert.strictEqual(http.status, 502)
      assert.strictEqual(http.detail, "Bad Gateway")
      assert.isUndefined(http.errorCode)
      assert.isUndefined(http.title)
      assertNoSecrets(error, cause)
    }).pipe(Effect.provide(answering({ status: 502, body: "Bad Gateway", headers: { "content-type": "text/plain" } }))))

  it.effect("empty 503 body", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepHttpError)
      const http = error as AepHttpError
      assert.strictEqual(http.status, 503)
      assert.strictEqual(http.detail, "(empty body)")
      assert.isUndefined(http.errorCode)
      assert.include(http.message, "503")
      assertNoSecrets(error, cause)
    }).pipe(Effect.provide(answering({ status: 503 }))))

  it.effect("a long error body is shortened", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepHttpError)
      const http = error as AepHttpError
      assert.strictEqual(http.status, 500)
      assert.isBelow(http.detail.length, 1100)
      assert.isTrue(http.detail.startsWith("x".repeat(1000)))
    }).pipe(Effect.provide(answering({ status: 500, body: "x".repeat(50_000) }))))

  it.effect("2xx with a body that is not JSON is AepDecodeError", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepDecodeError)
      const decode = error as AepDecodeError
      assert.strictEqual(decode.status, 201)
      assert.strictEqual(decode.expected, "Batch")
      assert.strictEqual(decode.requestId, "req-2")
      assertNoSecrets(error, cause)
    }).pipe(Effect.provide(answering({ status: 201, body: "<html>created</html>", headers: { "x-request-id": "req-2" } }))))

  it.effect("2xx JSON without status is AepDecodeError naming status", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepDecodeError)
      const decode = error as AepDecodeError
      assert.strictEqual(decode.status, 201)
      assert.isTrue(decode.issues.some((issue) => issue.path === "status"), JSON.stringify(decode.issues))
      assert.include(decode.message, "status")
      assertNoSecrets(error, cause)
    }).pipe(Effect.provide(answering(json(201, { ...seedBatch, status: undefined })))))

  it.effect("an HttpClient RequestError (Transport) is AepTransportError", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.create({ datasetId }))
      assert.instanceOf(error, AepTransportError)
      const transport = error as AepTransportError
      assert.strictEqual(transport.operation, "Batches.create")
      assert.strictEqual(transport.method, "POST")
      assert.strictEqual(transport.url, "https://platform.adobe.io/data/foundation/import/batches")
      assert.include(transport.description, "ECONNREFUSED")
      assertNoSecrets(error, cause)
    }).pipe(
      Effect.provide(testLayer((_, request) =>
        new HttpClientError.RequestError({
          request,
          reason: "Transport",
          cause: new TypeError("fetch failed", {
            cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:443"), { code: "ECONNREFUSED" })
          })
        })
      ))
    ))
})

describe("Batches.get", () => {
  const { id: _, ...withoutId } = seedBatch
  const processing = { ...withoutId, status: "processing", relatedObjects: undefined, version: undefined }

  it.effect("unwraps the Catalog answer keyed by batch id", () =>
    Effect.gen(function*() {
      const batch = yield* Batches.get(batchId)
      const [call, ...rest] = yield* calls
      assert.strictEqual(rest.length, 0)
      assert.strictEqual(call!.method, "GET")
      assert.strictEqual(call!.url, `https://platform.adobe.io/data/foundation/catalog/batches/${batchId}`)
      assert.strictEqual(call!.headers["authorization"], `Bearer ${accessToken}`)
      assert.strictEqual(call!.headers["x-api-key"], apiKey)
      assert.strictEqual(call!.headers["x-gw-ims-org-id"], orgId)
      assert.strictEqual(call!.headers["x-sandbox-name"], "prod")
      assert.isUndefined(call!.body)
      assert.strictEqual(batch.id, batchId)
      assert.strictEqual(batch.status, "processing")
      assert.strictEqual(DateTime.toEpochMillis(batch.updated!), 1552694873602)
    }).pipe(Effect.provide(answering(json(200, { [batchId]: processing })))))

  it.effect("takes the entry for the requested id when the answer has several", () =>
    Effect.gen(function*() {
      const batch = yield* Batches.get(batchId)
      assert.strictEqual(batch.id, batchId)
      assert.strictEqual(batch.status, "success")
    }).pipe(Effect.provide(answering(json(200, {
      "01E8043CY305K2MTV5ANH9G1GC": { ...processing, status: "failed" },
      [batchId]: { ...processing, status: "success" }
    })))))

  it.effect("an answer without the requested id is AepDecodeError", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(Batches.get(batchId))
      assert.instanceOf(error, AepDecodeError)
      assert.strictEqual((error as AepDecodeError).operation, "Batches.get")
    }).pipe(Effect.provide(answering(json(200, { "01E8043CY305K2MTV5ANH9G1GC": processing })))))

  it.effect("404 is AepHttpError", () =>
    Effect.gen(function*() {
      const { cause, error } = yield* failure(Batches.get(batchId))
      assert.instanceOf(error, AepHttpError)
      const http = error as AepHttpError
      assert.strictEqual(http.status, 404)
      assert.strictEqual(http.operation, "Batches.get")
      assert.strictEqual(http.method, "GET")
      assert.strictEqual(http.url, `https://platform.adobe.io/data/foundation/catalog/batches/${batchId}`)
      assert.strictEqual(http.detail, "Batch not found")
      assert.include(http.message, "sandbox")
      assertNoSecrets(error, cause)
    }).pipe(Effect.provide(answering(json(404, { title: "NotFound", detail: "Batch not found" })))))

  it.effect("a batch id that would change the URL path is refused before sending", () =>
    Effect.gen(function*() {
      const { error } = yield* failure(Batches.get("../../import/batches"))
      assert.instanceOf(error, AepValidationError)
      assert.strictEqual((error as AepValidationError).field, "batchId")
      assert.strictEqual((yield* calls).length, 0)
    }).pipe(Effect.provide(answering(json(200, {})))))
})
