import { assert, describe, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import {
  call,
  catalogPath,
  counters,
  createBatch,
  expectGateway,
  expectProblem,
  getBatch,
  headers,
  importPath,
  reset
} from "./support.js"

const post = (body: unknown, requestHeaders: Record<string, string> = headers) =>
  call(`${importPath}/batches`, { method: "POST", headers: requestHeaders, body: JSON.stringify(body) })

const without = (name: string) => Object.fromEntries(Object.entries(headers).filter(([key]) => key !== name))

describe("BatchIngestion", () => {
  it.layer(Emulator.layer())((it) => {
    it.effect("answers a create in the documented shape, stamped by the clock, and serves the same batch from the Catalog", () =>
      Effect.gen(function*() {
        yield* TestClock.setTime(1552694873602)
        const batch = yield* createBatch()
        assert.strictEqual(batch.created, 1552694873602)
        assert.strictEqual(batch.updated, 1552694873602)
        assert.strictEqual(batch.externalId, batch.id)
        assert.deepStrictEqual(batch.inputFormat, { format: "parquet" })
        assert.deepStrictEqual(batch.tags.acp_stagePath, [`${Demo.apiKey}/stage/${batch.id}`])
        assert.deepStrictEqual(yield* getBatch(batch.id), batch)
      }))

    it.effect("echoes every documented option: formats in any case, CSV options, diagnostics, both percentage spellings, tags", () =>
      Effect.gen(function*() {
        const csv = yield* createBatch({
          inputFormat: {
            format: "Csv",
            delimiter: "|",
            quote: "'",
            escape: "\\",
            nullMarker: "NULL",
            header: "true",
            charset: "UTF-8"
          },
          enableErrorDiagnostics: true,
          partialIngestionPercentage: 0,
          externalId: "nightly",
          tags: { team: ["data", "ops"], empty: [] }
        })
        assert.deepStrictEqual(csv.inputFormat, {
          format: "csv",
          delimiter: "|",
          quote: "'",
          escape: "\\",
          nullMarker: "NULL",
          header: "true",
          charset: "UTF-8"
        })
        assert.strictEqual(csv.tags.acp_enableErrorDiagnostics, true)
        assert.strictEqual(csv.tags.acp_partialIngestionPercent, 0)
        assert.deepStrictEqual(csv.tags["team"], ["data", "ops"])
        assert.deepStrictEqual(csv.tags["empty"], [])
        assert.strictEqual(csv.externalId, "nightly")

        const json = yield* createBatch({
          inputFormat: { format: "JSON", isMultiLineJson: false },
          partialIngestionPercent: 2.5,
          enableErrorDiagnostics: false
        })
        assert.deepStrictEqual(json.inputFormat, { format: "json", isMultiLineJson: false })
        assert.strictEqual(json.tags.acp_partialIngestionPercent, 2.5)
        // Diagnostics off leaves no tag.
        assert.isUndefined(json.tags.acp_enableErrorDiagnostics)
      }))

    it.effect("takes a replay of earlier batches, with $-prefixed ids echoed without the $", () =>
      Effect.gen(function*() {
        const first = yield* createBatch({ externalId: "one" })
        const second = yield* createBatch({ externalId: "two" })
        const replay = yield* createBatch({
          replay: { predecessors: [`$${first.id}`, second.id], reason: "reload", predecessorsByExternalId: ["one", "two"] }
        })
        assert.deepStrictEqual(replay.replay, {
          predecessors: [first.id, second.id],
          reason: "reload",
          predecessorsByExternalId: ["one", "two"]
        })
        expectProblem(
          yield* post({ datasetId: Demo.datasetId, replay: { predecessors: [`$${"0".repeat(32)}`], reason: "x" } }),
          400,
          /predecessor 0+ was not found/
        )
        expectProblem(yield* post({ datasetId: Demo.datasetId, replay: { predecessors: [first.id] } }), 400, /replay needs/)
        expectProblem(
          yield* post({
            datasetId: Demo.datasetId,
            replay: { predecessors: [first.id], reason: "x", predecessorsByExternalId: "one" }
          }),
          400,
          /predecessorsByExternalId/
        )
      }))

    it.effect("refuses option values of the wrong type with 400 and creates nothing", () =>
      Effect.gen(function*() {
        yield* reset
        const cases: Array<[unknown, RegExp]> = [
          [[Demo.datasetId], /JSON object/],
          [{ datasetId: 42 }, /datasetId is required/],
          [{ datasetId: Demo.datasetId, inputFormat: "json" }, /inputFormat must be an object/],
          [{ datasetId: Demo.datasetId, inputFormat: {} }, /json, parquet, csv/],
          [{ datasetId: Demo.datasetId, inputFormat: { format: "json", isMultiLineJson: "yes" } }, /isMultiLineJson/],
          [{ datasetId: Demo.datasetId, partialIngestionPercentage: -1 }, /between 0 and 100/],
          [{ datasetId: Demo.datasetId, partialIngestionPercent: "5" }, /between 0 and 100/],
          [{ datasetId: Demo.datasetId, enableErrorDiagnostics: "true" }, /enableErrorDiagnostics/],
          [{ datasetId: Demo.datasetId, externalId: "" }, /externalId/],
          [{ datasetId: Demo.datasetId, tags: { team: "data" } }, /tags\.team/],
          [{ datasetId: Demo.datasetId, tags: [] }, /tags must be an object/]
        ]
        for (const [body, detail] of cases) expectProblem(yield* post(body), 400, detail)
        expectProblem(yield* call(`${importPath}/batches`, { method: "POST", body: "" }), 400, /not valid JSON/)
        assert.strictEqual((yield* counters).batches, 0)
      }))

    it.effect("answers the gateway's errors in its form, checked in the documented order", () =>
      Effect.gen(function*() {
        const cases: Array<[Record<string, string>, number, string]> = [
          [without("authorization"), 403, "403010"],
          [{ ...headers, authorization: "Basic abc" }, 403, "403010"],
          [{ ...without("x-api-key"), authorization: "Bearer not-a-token" }, 403, "403000"],
          [{ ...headers, authorization: "Bearer not-a-token" }, 401, "401013"],
          [{ ...headers, "x-api-key": "someone-else" }, 403, "403003"],
          [without("x-gw-ims-org-id"), 400, "400003"],
          [{ ...headers, "x-gw-ims-org-id": "OTHER@AdobeOrg" }, 403, "403025"]
        ]
        for (const [requestHeaders, status, code] of cases) {
          expectGateway(yield* post({ datasetId: Demo.datasetId }, requestHeaders), status, code)
          expectGateway(yield* call(`${catalogPath}/batches`, { headers: requestHeaders }), status, code)
        }
        // The sandbox is the service's business: a problem, not a gateway error.
        const nowhere = { ...headers, "x-sandbox-name": "nowhere" }
        expectProblem(yield* post({ datasetId: Demo.datasetId }, nowhere), 404, /Sandbox 'nowhere'/)
        // Without the header, the sandbox is prod.
        assert.strictEqual((yield* createBatch({}, without("x-sandbox-name"))).status, "loading")
      }))
  })
})
