/**
 * The floor of the edge bundle benchmark: `examples/edge-worker.ts` with effect-aep's part
 * written inline, using only `effect`, its `Schema` and `@effect/platform`'s `FetchHttpClient`.
 * Same route, same bindings (static token), same answers: 201 with the batch, 400 for invalid
 * input, 502 when AEP refuses, 500 when a binding is missing. What it leaves out is what the
 * libraries add: OAuth client credentials, retries and timeouts, AEP's error forms, the full
 * `Batch` schema, every create option.
 *
 * Imports follow the example's: `DateTime` and `Effect` from the `effect` barrel as the example
 * imports them (esbuild keeps a barrel's whole namespace, so this matters: ~16 KiB gzipped for
 * `Effect`), and what the libraries would have brought by deep imports, as their code does. The
 * benchmark also bundles both with every `effect` import made deep.
 *
 * Bundled, not run: only its size is measured (and it is type-checked with the rest of bench/).
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { DateTime, Effect } from "effect"
import * as Layer from "effect/Layer"
import * as Schema from "effect/Schema"

const Id = Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9_-]{1,256}$/))

const CreateRequest = Schema.Struct({
  datasetId: Id,
  inputFormat: Schema.optional(Schema.Struct({ format: Schema.Literal("json", "parquet", "csv") }))
})

const Batch = Schema.Struct({
  id: Schema.String,
  status: Schema.String,
  created: Schema.optional(Schema.DateTimeUtcFromNumber),
  relatedObjects: Schema.optional(Schema.Array(Schema.Struct({ type: Schema.String, id: Schema.String })))
})

const Env = Schema.Struct({
  AEP_ORG_ID: Schema.String,
  AEP_API_KEY: Schema.String,
  AEP_ACCESS_TOKEN: Schema.String,
  AEP_SANDBOX_NAME: Schema.optionalWith(Schema.String, { default: () => "prod" }),
  AEP_PLATFORM_URL: Schema.optionalWith(Schema.String, { default: () => "https://platform.adobe.io" })
})

class Answer extends Schema.TaggedError<Answer>()("Answer", { status: Schema.Number, body: Schema.Unknown }) {}

const json = (body: unknown, status: number): Response =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } })

// Redirects would carry the token elsewhere: answered as they are, like the edge adapter does.
const httpClient = FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" })))

const createBatch = (request: Request, env: Record<string, unknown>) =>
  Effect.gen(function*() {
    const config = yield* Schema.decodeUnknown(Env)(env).pipe(
      Effect.mapError((error) => new Answer({ status: 500, body: { error: "misconfigured", detail: error.message } }))
    )
    const body = yield* Effect.tryPromise({
      try: () => request.json(),
      catch: () => new Answer({ status: 400, body: { error: "the body must be JSON" } })
    })
    const input = yield* Schema.decodeUnknown(CreateRequest)(body).pipe(
      Effect.mapError((error) => new Answer({ status: 400, body: { error: error.message } }))
    )
    const client = yield* HttpClient.HttpClient
    const response = yield* HttpClientRequest.post(`${config.AEP_PLATFORM_URL}/data/foundation/import/batches`).pipe(
      HttpClientRequest.setHeaders({
        accept: "application/json",
        "x-api-key": config.AEP_API_KEY,
        "x-gw-ims-org-id": config.AEP_ORG_ID,
        "x-sandbox-name": config.AEP_SANDBOX_NAME
      }),
      HttpClientRequest.bearerToken(config.AEP_ACCESS_TOKEN),
      HttpClientRequest.bodyUnsafeJson(input),
      client.execute,
      Effect.mapError((error) => new Answer({ status: 502, body: { error: error.message } }))
    )
    if (response.status !== 201) {
      const text = yield* Effect.orElseSucceed(response.text, () => "")
      return yield* new Answer({ status: 502, body: { status: response.status, detail: text.slice(0, 1000) } })
    }
    const batch = yield* HttpClientResponse.schemaBodyJson(Batch)(response).pipe(
      Effect.mapError((error) => new Answer({ status: 502, body: { error: error.message } }))
    )
    return json({
      id: batch.id,
      status: batch.status,
      datasetId: batch.relatedObjects?.find((related) => related.type === "dataSet")?.id ?? null,
      created: batch.created === undefined ? null : DateTime.formatIso(batch.created)
    }, 201)
  })

export default {
  async fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    const url = new URL(request.url)
    if (request.method !== "POST" || url.pathname !== "/batches") {
      return json({ error: "POST /batches with a JSON body" }, 404)
    }
    return createBatch(request, env).pipe(
      Effect.provide(httpClient),
      Effect.catchAll((error) => Effect.succeed(json(error.body, error.status))),
      Effect.runPromise
    )
  }
}
