import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"
import {
  call,
  catalogPath,
  counters,
  createBatch,
  expectEmpty,
  expectGateway,
  expectJson,
  expectProblem,
  getBatch,
  headers,
  importPath,
  parquet,
  putFile,
  reset,
  setFaults,
  signal
} from "./support.js"

const newDataset = (body: unknown) =>
  Effect.map(
    call("/__emulator/datasets", { method: "POST", headers: {}, body: JSON.stringify(body) }),
    (answer) => expectJson(answer, 201, Schemas.ControlDataset)
  )

const issueToken = Effect.map(
  call("/ims/token/v3", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "client_credentials", client_id: Demo.apiKey, client_secret: Demo.clientSecret })
      .toString()
  }),
  (answer) => expectJson(answer, 200, Schemas.ImsToken).access_token
)

describe("Control", () => {
  it.layer(Emulator.layer())((it) => {
    it.effect("counts requests per operation, refused ones included, beside the batches stored and tokens issued", () =>
      Effect.gen(function*() {
        yield* reset
        assert.deepStrictEqual(yield* counters, { counters: {}, batches: 0, tokensIssued: 0 })
        const batch = yield* createBatch()
        const { authorization: _, ...anonymous } = headers
        expectGateway(
          yield* call(`${importPath}/batches`, {
            method: "POST",
            headers: anonymous,
            body: JSON.stringify({ datasetId: Demo.datasetId })
          }),
          403,
          "403010"
        )
        expectEmpty(yield* putFile(batch.id, "a.parquet", parquet(1)), 201)
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        yield* getBatch(batch.id)
        yield* getBatch(batch.id)
        assert.strictEqual((yield* call(`${catalogPath}/batches`)).status, 200)
        yield* issueToken
        assert.deepStrictEqual(yield* counters, {
          counters: {
            "batches.create": 2,
            "files.put": 1,
            "batches.signal": 1,
            "catalog.getBatch": 2,
            "catalog.listBatches": 1,
            "ims.token": 1,
            "ims.tokensIssued": 1
          },
          batches: 1,
          tokensIssued: 1
        })
      }))

    it.effect("reset forgets batches, added datasets, issued tokens, faults and counters, and seeds the demo values anew", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch()
        const added = yield* newDataset({ name: "Temporary" })
        const token = yield* issueToken
        yield* setFaults({ rules: [{ path: "/never$", fault: { type: "truncate" } }] })

        yield* reset
        assert.deepStrictEqual(yield* counters, { counters: {}, batches: 0, tokensIssued: 0 })
        expectProblem(yield* call(`${catalogPath}/batches/${batch.id}`), 404)
        expectProblem(yield* call(`${catalogPath}/dataSets/${added.id}`), 404)
        const withToken = { ...headers, authorization: `Bearer ${token}` }
        expectGateway(yield* call(`${catalogPath}/batches`, { headers: withToken }), 401, "401013")
        assert.deepStrictEqual(expectJson(yield* call("/__emulator/faults"), 200, Schemas.FaultRules), { rules: [] })
        // The demo token and dataset are there again.
        assert.strictEqual((yield* createBatch()).status, "loading")
      }))

    it.effect("creates datasets with a chosen or generated id, in any sandbox, without credentials", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1_234)
        const chosen = yield* newDataset({ id: "my-dataset_1", name: "Mine" })
        assert.deepStrictEqual(chosen, { id: "my-dataset_1", name: "Mine", sandboxName: "prod", created: 1_234 })
        const catalog = expectJson(yield* call(`${catalogPath}/dataSets/my-dataset_1`), 200, Schemas.DatasetsById)
        assert.strictEqual(catalog["my-dataset_1"]?.name, "Mine")

        const generated = yield* newDataset({})
        assert.match(generated.id, /^[0-9a-f]{24}$/)
        assert.strictEqual(generated.name, `Dataset ${generated.id}`)

        // A new sandbox comes into being with its first dataset.
        const dev = { ...headers, "x-sandbox-name": "dev-1" }
        expectProblem(yield* call(`${catalogPath}/batches`, { headers: dev }), 404, /Sandbox 'dev-1' was not found/)
        const inDev = yield* newDataset({ sandboxName: "dev-1" })
        assert.strictEqual(inDev.sandboxName, "dev-1")
        const batch = yield* createBatch({ datasetId: inDev.id }, dev)
        expectProblem(yield* call(`${catalogPath}/batches/${batch.id}`), 404)
        expectProblem(yield* call(`${catalogPath}/dataSets/${inDev.id}`), 404)
        assert.deepStrictEqual(
          Object.keys(expectJson(yield* call(`${catalogPath}/batches`, { headers: dev }), 200, Schemas.BatchesById)),
          [batch.id]
        )

        const invalid = [{ id: "../up" }, { sandboxName: "Not Valid" }, { name: 1 }].map((body) => JSON.stringify(body))
        for (const body of ["{", ...invalid]) {
          expectProblem(yield* call("/__emulator/datasets", { method: "POST", body }), 400, /Invalid control request/)
        }
      }))

    it.effect("answers unknown control paths with 404", () =>
      Effect.gen(function*() {
        expectProblem(yield* call("/__emulator/nothing"), 404, /No endpoint/)
        expectProblem(yield* call("/__emulator/counters", { method: "DELETE" }), 404)
      }))
  })
})
