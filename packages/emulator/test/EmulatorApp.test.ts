import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"

const demoHeaders = {
  accept: "application/json",
  "x-gw-ims-org-id": Demo.orgId,
  "x-sandbox-name": Demo.sandboxName,
  authorization: `Bearer ${Demo.accessToken}`,
  "x-api-key": Demo.apiKey,
  "content-type": "application/json"
}

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: any
}

const call = (path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}) =>
  Effect.gen(function*() {
    const { url } = yield* Emulator.Emulator
    const response = yield* Effect.promise(() =>
      fetch(`${url}${path}`, {
        method: init.method ?? "GET",
        headers: init.headers ?? demoHeaders,
        ...(init.body === undefined ? {} : { body: init.body })
      })
    )
    const text = yield* Effect.promise(() => response.text())
    return { status: response.status, headers: response.headers, body: text === "" ? undefined : JSON.parse(text) } as Answer
  })

const create = (body: unknown, headers: Record<string, string> = demoHeaders) =>
  call("/data/foundation/import/batches", { method: "POST", headers, body: JSON.stringify(body) })

const without = (name: string) => Object.fromEntries(Object.entries(demoHeaders).filter(([key]) => key !== name))

describe("Emulator", () => {
  it.layer(Emulator.layer())((it) => {
    it.effect("creates a batch with the seed example's shape, stamped by Effect's Clock", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1552694873602)
        const answer = yield* create({ datasetId: Demo.datasetId })
        assert.strictEqual(answer.status, 201)
        const batch = answer.body
        assert.match(batch.id, /^[0-9a-f]{32}$/)
        assert.strictEqual(batch.status, "loading")
        assert.strictEqual(batch.imsOrg, Demo.orgId)
        assert.strictEqual(batch.created, 1552694873602)
        assert.strictEqual(batch.updated, batch.created)
        assert.deepStrictEqual(batch.relatedObjects, [{ type: "dataSet", id: Demo.datasetId }])
        assert.strictEqual(batch.version, "1.0.0")
        assert.deepStrictEqual(batch.tags, {
          acp_producer: [Demo.apiKey],
          acp_stagePath: [`${Demo.apiKey}/stage/${batch.id}`],
          use_plan_b_batch_status: ["false"]
        })
        assert.strictEqual(batch.externalId, batch.id)
        assert.strictEqual(batch.createdClient, Demo.apiKey)
        assert.strictEqual(batch.createdUser, batch.updatedUser)
        assert.deepStrictEqual(batch.inputFormat, { format: "parquet" })
        assert.match(answer.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/)
      }))

    it.effect("takes every documented option, in either spelling and letter case", () =>
      Effect.gen(function*() {
        const first = (yield* create({ datasetId: Demo.datasetId })).body
        const answer = yield* create({
          datasetId: Demo.datasetId,
          inputFormat: { format: "JSON", isMultiLineJson: true },
          enableErrorDiagnostics: true,
          partialIngestionPercent: 5,
          externalId: "nightly-2026-12-04",
          tags: { team: ["data"] },
          replay: { predecessors: [`$${first.id}`], reason: "reload" }
        })
        assert.strictEqual(answer.status, 201)
        const batch = answer.body
        assert.deepStrictEqual(batch.inputFormat, { format: "json", isMultiLineJson: true })
        assert.strictEqual(batch.externalId, "nightly-2026-12-04")
        assert.strictEqual(batch.tags.acp_enableErrorDiagnostics, true)
        assert.strictEqual(batch.tags.acp_partialIngestionPercent, 5)
        assert.deepStrictEqual(batch.tags.team, ["data"])
        // Predecessors are sent with a `$` and echoed without it.
        assert.deepStrictEqual(batch.replay, { predecessors: [first.id], reason: "reload" })
        const other = yield* create({ datasetId: Demo.datasetId, partialIngestionPercentage: 12.5 })
        assert.strictEqual(other.body.tags.acp_partialIngestionPercent, 12.5)
      }))

    it.effect("serves a created batch from the Catalog, keyed by its id", () =>
      Effect.gen(function*() {
        const created = (yield* create({ datasetId: Demo.datasetId })).body
        const answer = yield* call(`/data/foundation/catalog/batches/${created.id}`)
        assert.strictEqual(answer.status, 200)
        assert.deepStrictEqual(Object.keys(answer.body), [created.id])
        assert.deepStrictEqual(answer.body[created.id], created)
        const missing = yield* call("/data/foundation/catalog/batches/00000000000000000000000000000000")
        assert.strictEqual(missing.status, 404)
        assert.strictEqual(missing.body.title, "NotFoundError")
      }))

    it.effect("answers the gateway's errors for missing or wrong headers", () =>
      Effect.gen(function*() {
        const cases: Array<[Record<string, string>, number, string]> = [
          [without("authorization"), 403, "403010"],
          [{ ...demoHeaders, authorization: "Bearer not-a-token" }, 401, "401013"],
          [without("x-api-key"), 403, "403000"],
          [{ ...demoHeaders, "x-api-key": "someone-else" }, 403, "403003"],
          [without("x-gw-ims-org-id"), 400, "400003"],
          [{ ...demoHeaders, "x-gw-ims-org-id": "OTHER@AdobeOrg" }, 403, "403025"]
        ]
        for (const [headers, status, code] of cases) {
          const answer = yield* create({ datasetId: Demo.datasetId }, headers)
          assert.strictEqual(answer.status, status, code)
          assert.strictEqual(answer.body.error_code, code)
          assert.isString(answer.body.message)
        }
        const catalog = yield* call("/data/foundation/catalog/batches/abc", { headers: without("authorization") })
        assert.strictEqual(catalog.body.error_code, "403010")
      }))

    it.effect("refuses bad bodies with the services' problem form and stores nothing", () =>
      Effect.gen(function*() {
        const { state } = yield* Emulator.Emulator
        const before = state.batches.size
        const post = (body: string, headers: Record<string, string> = demoHeaders) =>
          call("/data/foundation/import/batches", { method: "POST", headers, body })
        const cases: Array<[Effect.Effect<Answer, never, Emulator.Emulator>, RegExp]> = [
          [post("{not json"), /not valid JSON/],
          [post(JSON.stringify({ datasetId: Demo.datasetId }), { ...demoHeaders, "content-type": "text/plain" }), /content-type/],
          [post(JSON.stringify({})), /datasetId is required/],
          [post(JSON.stringify({ datasetId: "000000000000000000000000" })), /Dataset 000000000000000000000000 was not found/],
          [post(JSON.stringify({ datasetId: Demo.datasetId, inputFormat: { format: "xml" } })), /json, parquet, csv/],
          [post(JSON.stringify({ datasetId: Demo.datasetId, partialIngestionPercentage: 101 })), /between 0 and 100/],
          [post(JSON.stringify({ datasetId: Demo.datasetId, replay: { predecessors: [], reason: "x" } })), /replay/]
        ]
        for (const [request, detail] of cases) {
          const answer = yield* request
          assert.strictEqual(answer.status, 400)
          assert.strictEqual(answer.body.status, 400)
          assert.strictEqual(answer.body.title, "BadRequestError")
          assert.match(answer.body.detail, detail)
        }
        assert.strictEqual(state.batches.size, before)
      }))

    it.effect("keeps sandboxes apart", () =>
      Effect.gen(function*() {
        const { state } = yield* Emulator.Emulator
        state.addDataset("dev", "aaaaaaaaaaaaaaaaaaaaaaaa", Date.now())
        const inDev = yield* create({ datasetId: "aaaaaaaaaaaaaaaaaaaaaaaa" }, { ...demoHeaders, "x-sandbox-name": "dev" })
        assert.strictEqual(inDev.status, 201)
        const fromProd = yield* call(`/data/foundation/catalog/batches/${inDev.body.id}`)
        assert.strictEqual(fromProd.status, 404)
        const unknown = yield* create({ datasetId: Demo.datasetId }, { ...demoHeaders, "x-sandbox-name": "nowhere" })
        assert.strictEqual(unknown.status, 404)
      }))

    it.effect("answers unknown paths with 404 in the services' form", () =>
      Effect.gen(function*() {
        const answer = yield* call("/data/foundation/import/nothing-here")
        assert.strictEqual(answer.status, 404)
        assert.match(answer.body.detail, /No endpoint/)
      }))
  })
})
