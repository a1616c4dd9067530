import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"
import {
  call,
  catalogPath,
  createBatch,
  expectEmpty,
  expectGateway,
  expectJson,
  expectProblem,
  headers,
  parquet,
  putFile,
  reset,
  settle,
  signal
} from "./support.js"

const list = (query: string) =>
  Effect.map(call(`${catalogPath}/batches${query === "" ? "" : `?${query}`}`), (answer) =>
    Object.keys(expectJson(answer, 200, Schemas.BatchesById)))

const lastBatches = (query = "") =>
  Effect.map(call(`${catalogPath}/lastBatches${query}`), (answer) => expectJson(answer, 200, Schemas.LastBatches))

const newDataset = (name: string) =>
  Effect.map(call(`${catalogPath}/dataSets`, { method: "POST", body: JSON.stringify({ name }) }), (answer) => {
    const [reference] = expectJson(answer, 201, Schemas.DatasetCreated)
    const id = reference.slice("@/dataSets/".length)
    assert.strictEqual(answer.headers.get("location"), `${catalogPath}/dataSets/${id}`)
    return id
  })

/** A batch with one Parquet file, completed and processed to success. */
const succeeded = (datasetId: string = Demo.datasetId) =>
  Effect.gen(function*() {
    const batch = yield* createBatch({ datasetId })
    expectEmpty(yield* putFile(batch.id, "a.parquet", parquet(1), datasetId), 201)
    expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
    yield* settle
    return batch.id
  })

describe("Catalog", () => {
  it.layer(Emulator.layer({ processingDelayMillis: 100 }))((it) => {
    it.effect("pages through 250 batches with limit and start, each exactly once, in creation order", () =>
      Effect.gen(function*() {
        yield* reset
        const ids: Array<string> = []
        // Created within the same millisecond: creation order breaks the ties.
        for (let i = 0; i < 250; i++) ids.push((yield* createBatch()).id)
        const byHundreds: Array<string> = []
        for (const start of [0, 100, 200]) byHundreds.push(...yield* list(`limit=100&start=${start}`))
        assert.strictEqual(byHundreds.length, 250)
        assert.deepStrictEqual(byHundreds, ids)
        assert.deepStrictEqual(yield* list("limit=100&start=250"), [])

        // As aepp pages: `start` on until a page comes back empty.
        const bySevens: Array<string> = []
        for (let start = 0;; start += 7) {
          const page = yield* list(`limit=7&start=${start}`)
          if (page.length === 0) break
          assert.isAtMost(page.length, 7)
          bySevens.push(...page)
        }
        assert.deepStrictEqual(bySevens, ids)
        assert.strictEqual(new Set(bySevens).size, 250)

        assert.deepStrictEqual(yield* list(""), ids.slice(0, 20))
        assert.deepStrictEqual(yield* list("limit=500"), ids.slice(0, 100))
        assert.deepStrictEqual(yield* list("limit=100&orderBy=desc:created"), ids.slice(-100).reverse())
        assert.deepStrictEqual(yield* list("limit=3&start=1&orderBy=asc:created"), ids.slice(1, 4))
        assert.deepStrictEqual(yield* list("limit=3&orderBy=created"), ids.slice(0, 3))
        const descending: Array<string> = []
        for (const start of [0, 100, 200]) descending.push(...yield* list(`limit=100&start=${start}&orderBy=desc:created`))
        assert.deepStrictEqual(descending, [...ids].reverse())
      }))

    it.effect("refuses a limit of 0 or not a whole number, a bad start or orderBy, with 400", () =>
      Effect.gen(function*() {
        const queries = [
          "limit=0",
          "limit=abc",
          "limit=-1",
          "limit=1.5",
          "limit=",
          "start=abc",
          "start=-1",
          "orderBy=desc:size",
          "orderBy=sideways:created",
          "createdAfter=yesterday",
          "createdBefore=1e3"
        ]
        for (const query of queries) {
          expectProblem(yield* call(`${catalogPath}/batches?${query}`), 400, /must be/)
        }
      }))

    it.effect("filters by dataSet, status, createdAfter, createdBefore, externalId and tags", () =>
      Effect.gen(function*() {
        yield* reset
        const other = yield* newDataset("Other")
        yield* TestClock.setTime(1_000)
        const a1 = (yield* createBatch({ externalId: "ext-1", tags: { team: ["data"] } })).id
        yield* TestClock.setTime(2_000)
        const b1 = (yield* createBatch({ datasetId: other })).id
        yield* TestClock.setTime(3_000)
        const a2 = yield* Effect.gen(function*() {
          const batch = yield* createBatch({ externalId: "ext-2", tags: { team: ["ops", "data"], region: ["eu"] } })
          expectEmpty(yield* putFile(batch.id, "a.parquet", parquet(1)), 201)
          expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
          return batch.id
        })
        expectEmpty(yield* signal(a1, "ABORT"), 200)

        assert.deepStrictEqual(yield* list(`dataSet=${other}`), [b1])
        assert.deepStrictEqual(yield* list(`dataSet=${Demo.datasetId}`), [a1, a2])
        assert.deepStrictEqual(yield* list("status=aborted"), [a1])
        assert.deepStrictEqual(yield* list("status=loading,staging"), [b1, a2])
        // Processing moves the batch before the filter looks at it.
        yield* settle
        assert.deepStrictEqual(yield* list("status=success"), [a2])
        assert.deepStrictEqual(yield* list("status=staging"), [])
        assert.deepStrictEqual(yield* list("createdAfter=1000"), [b1, a2])
        assert.deepStrictEqual(yield* list("createdBefore=3000"), [a1, b1])
        assert.deepStrictEqual(yield* list("createdAfter=1000&createdBefore=3000"), [b1])
        assert.deepStrictEqual(yield* list("externalId=ext-2"), [a2])
        assert.deepStrictEqual(yield* list("externalId=nothing"), [])
        assert.deepStrictEqual(yield* list("tags=team"), [a1, a2])
        assert.deepStrictEqual(yield* list("tags=team:ops"), [a2])
        assert.deepStrictEqual(yield* list("tags=team:data"), [a1, a2])
        assert.deepStrictEqual(yield* list("tags=team:ops,region:eu"), [a2])
        assert.deepStrictEqual(yield* list("tags=team:data,region:us"), [])
        assert.deepStrictEqual(yield* list(`tags=acp_producer:${Demo.apiKey}`), [a1, b1, a2])
        assert.deepStrictEqual(yield* list(`dataSet=${Demo.datasetId}&status=success&orderBy=desc:created`), [a2])
        assert.deepStrictEqual(yield* list("orderBy=desc:created&limit=2"), [a2, b1])
      }))

    it.effect("answers lastBatches per dataset: the last batch, and the last successful and failed ones", () =>
      Effect.gen(function*() {
        yield* reset
        const other = yield* newDataset("Other")
        assert.deepStrictEqual(yield* lastBatches(), {})
        yield* TestClock.adjust(Duration.millis(1))
        const good = yield* succeeded()
        yield* TestClock.adjust(Duration.millis(1))
        const bad = (yield* createBatch()).id
        expectEmpty(yield* signal(bad, "COMPLETE"), 200)
        yield* settle
        yield* TestClock.adjust(Duration.millis(1))
        const latest = yield* createBatch()

        const answer = yield* lastBatches()
        assert.deepStrictEqual(Object.keys(answer), [Demo.datasetId])
        assert.deepStrictEqual(answer[Demo.datasetId], {
          lastBatchId: latest.id,
          lastBatchStatus: "loading",
          lastSuccessfulBatchId: good,
          lastFailedBatchId: bad,
          imsOrg: Demo.orgId,
          created: latest.created,
          updated: latest.updated
        })
        assert.deepStrictEqual(yield* lastBatches(`?dataSetId=${other}`), {})
        const inOther = (yield* createBatch({ datasetId: other })).id
        const both = yield* lastBatches(`?dataSetId=${Demo.datasetId},${other}`)
        assert.sameMembers(Object.keys(both), [Demo.datasetId, other])
        assert.strictEqual(both[other]?.lastBatchId, inOther)
        assert.isUndefined(both[other]?.lastSuccessfulBatchId)
        assert.deepStrictEqual(Object.keys(yield* lastBatches(`?dataSetId=${other}`)), [other])
      }))

    it.effect("serves datasets keyed by id, and creates them with POST /dataSets", () =>
      Effect.gen(function*() {
        const demo = expectJson(yield* call(`${catalogPath}/dataSets/${Demo.datasetId}`), 200, Schemas.DatasetsById)
        assert.deepStrictEqual(Object.keys(demo), [Demo.datasetId])
        assert.strictEqual(demo[Demo.datasetId]?.imsOrg, Demo.orgId)
        expectProblem(yield* call(`${catalogPath}/dataSets/000000000000000000000000`), 404, /not found/)

        yield* TestClock.setTime(1_700_000_000_000)
        const id = yield* newDataset("Profiles")
        const created = expectJson(yield* call(`${catalogPath}/dataSets/${id}`), 200, Schemas.DatasetsById)
        assert.deepStrictEqual(created[id], {
          name: "Profiles",
          imsOrg: Demo.orgId,
          created: 1_700_000_000_000,
          updated: 1_700_000_000_000,
          version: "1.0.0"
        })
        // Batches can be created in it at once.
        const batch = yield* createBatch({ datasetId: id })
        assert.deepStrictEqual(batch.relatedObjects, [{ type: "dataSet", id }])

        for (const body of ["{", "{}", JSON.stringify({ name: "   " }), JSON.stringify({ name: 42 }), "[]"]) {
          expectProblem(yield* call(`${catalogPath}/dataSets`, { method: "POST", body }), 400)
        }
        const { authorization: _, ...anonymous } = headers
        expectGateway(
          yield* call(`${catalogPath}/dataSets`, { method: "POST", headers: anonymous, body: JSON.stringify({ name: "x" }) }),
          403,
          "403010"
        )
      }))

    it.effect("answers an unknown batch with 404, and the gateway's errors before the Catalog's", () =>
      Effect.gen(function*() {
        expectProblem(yield* call(`${catalogPath}/batches/${"0".repeat(32)}`), 404, /not found/)
        expectGateway(
          yield* call(`${catalogPath}/batches`, { headers: { ...headers, authorization: "Bearer nope" } }),
          401,
          "401013"
        )
        expectGateway(yield* call(`${catalogPath}/lastBatches`, { headers: { ...headers, "x-api-key": "nope" } }), 403, "403003")
      }))
  })
})
