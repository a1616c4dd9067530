import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"
import {
  type Bytes,
  call,
  catalogPath,
  counters,
  createBatch,
  expectEmpty,
  expectGateway,
  expectJson,
  expectProblem,
  filePath,
  getBatch,
  headers,
  importPath,
  octetHeaders,
  putFile,
  reset,
  settle,
  signal,
  utf8
} from "./support.js"

const bytes = (n: number) => utf8("x".repeat(n))

const initialize = (batchId: string, name: string) => call(`${filePath(batchId, name)}?action=INITIALIZE`, { method: "POST" })

const patch = (batchId: string, name: string, body: Bytes, start: number) =>
  call(filePath(batchId, name), {
    method: "PATCH",
    headers: { ...octetHeaders, "content-range": `bytes ${start}-${start + body.length - 1}` },
    body
  })

describe("Limits", () => {
  it.layer(Emulator.layer({ limits: { filesPerBatch: 3 } }))((it) => {
    it.effect("a batch takes at most filesPerBatch files; replacing one does not count", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch()
        for (const name of ["a", "b", "c"]) expectEmpty(yield* putFile(batch.id, `${name}.parquet`, bytes(1)), 201)
        expectProblem(yield* putFile(batch.id, "d.parquet", bytes(1)), 400, /at most 3 files/)
        expectProblem(yield* initialize(batch.id, "d.parquet"), 400, /at most 3 files/)
        expectEmpty(yield* putFile(batch.id, "c.parquet", bytes(2)), 200)
        expectEmpty(yield* initialize(batch.id, "b.parquet"), 201)
        // Another batch has its own allowance.
        const other = yield* createBatch()
        expectEmpty(yield* putFile(other.id, "d.parquet", bytes(1)), 201)
      }))
  })

  it.layer(Emulator.layer({ limits: { smallFileBytes: 10, batchBytes: 40 }, processingDelayMillis: 10 }))((it) => {
    it.effect("a PUT over smallFileBytes is 413 and stores nothing; the large-file upload takes the file", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch({ inputFormat: { format: "json" } })
        expectEmpty(yield* putFile(batch.id, "small.json", "{\"a\":12}\n"), 201)
        expectEmpty(yield* putFile(batch.id, "exact.json", utf8("{\"a\":1234}")), 201)
        const big = utf8("{\"a\":1234}\n")
        assert.strictEqual(big.length, 11)
        const refused = expectProblem(yield* putFile(batch.id, "big.json", big), 413, /INITIALIZE, PATCH, COMPLETE/)
        assert.strictEqual(refused.title, "PayloadTooLargeError")
        assert.strictEqual((yield* call(filePath(batch.id, "big.json"), { method: "HEAD" })).status, 404)
        // A body of many chunks is read to its end, so the answer arrives instead of a dropped connection.
        expectProblem(yield* putFile(batch.id, "huge.json", bytes(512 * 1024)), 413)

        expectEmpty(yield* initialize(batch.id, "big.json"), 201)
        expectJson(yield* patch(batch.id, "big.json", big, 0), 200, Schemas.File)
        expectJson(yield* call(`${filePath(batch.id, "big.json")}?action=COMPLETE`, { method: "POST" }), 201, Schemas.File)
        expectEmpty(yield* signal(batch.id, "COMPLETE"), 200)
        yield* settle
        const done = yield* getBatch(batch.id)
        assert.strictEqual(done.status, "success")
        assert.strictEqual(done.recordCount, 3)
      }))

    it.effect("a batch holds at most batchBytes, counting PUT and PATCH bytes; a replaced file's old bytes do not count", () =>
      Effect.gen(function*() {
        const batch = yield* createBatch()
        for (const name of ["a", "b", "c"]) expectEmpty(yield* putFile(batch.id, name, bytes(10)), 201)
        expectEmpty(yield* initialize(batch.id, "d"), 201)
        expectJson(yield* patch(batch.id, "d", bytes(5), 0), 200, Schemas.File)
        expectProblem(yield* patch(batch.id, "d", bytes(6), 5), 400, /at most 40 bytes/)
        expectProblem(yield* putFile(batch.id, "e", bytes(6)), 400, /at most 40 bytes/)
        expectEmpty(yield* putFile(batch.id, "a", bytes(5)), 200)
        expectJson(yield* patch(batch.id, "d", bytes(5), 5), 200, Schemas.File)
      }))
  })

  it.layer(Emulator.layer())((it) => {
    it.effect("answers 414 for a URL over 2000 characters, before the gateway looks at credentials", () =>
      Effect.gen(function*() {
        const prefix = `${catalogPath}/batches/`
        const atLimit = `${prefix}${"a".repeat(2000 - prefix.length)}`
        assert.strictEqual(atLimit.length, 2000)
        expectProblem(yield* call(atLimit), 404)
        const tooLong = yield* call(`${atLimit}a`)
        assert.strictEqual(expectProblem(tooLong, 414, /2000 characters/).title, "URITooLongError")
        // The query string counts, and no credentials are needed to be told.
        const query = `${catalogPath}/batches?externalId=${"e".repeat(2000)}`
        expectProblem(yield* call(query, { headers: {} }), 414)
        const body = JSON.stringify({ datasetId: Demo.datasetId })
        expectProblem(yield* call(`${importPath}/batches?${"p".repeat(2000)}`, { method: "POST", body }), 414)
        assert.strictEqual((yield* counters).batches, 0)
      }))
  })

  const partner = { clientId: "partner-client", clientSecret: "partner-secret", orgId: Demo.orgId }

  it.layer(Emulator.layer({ limits: { batchesPerMinute: 2 }, clients: [partner] }))((it) => {
    it.effect("creates at most batchesPerMinute per client, answering 429 in the gateway's form with Retry-After", () =>
      Effect.gen(function*() {
        yield* reset
        const create = (requestHeaders: Record<string, string> = headers) =>
          call(`${importPath}/batches`, {
            method: "POST",
            headers: requestHeaders,
            body: JSON.stringify({ datasetId: Demo.datasetId })
          })
        yield* createBatch()
        yield* TestClock.adjust(Duration.seconds(20))
        yield* createBatch()
        const throttled = yield* create()
        expectGateway(throttled, 429, "429050")
        // The first create leaves the window in 40 s.
        assert.strictEqual(throttled.headers.get("retry-after"), "40")
        yield* TestClock.adjust(Duration.seconds(39))
        assert.strictEqual((yield* create()).headers.get("retry-after"), "1")

        // Another client has its own allowance.
        const { access_token } = expectJson(
          yield* call("/ims/token/v3", {
            method: "POST",
            headers: { "content-type": "application/x-www-form-urlencoded" },
            body: new URLSearchParams({
              grant_type: "client_credentials",
              client_id: partner.clientId,
              client_secret: partner.clientSecret
            }).toString()
          }),
          200,
          Schemas.ImsToken
        )
        const partnerHeaders = { ...headers, authorization: `Bearer ${access_token}`, "x-api-key": partner.clientId }
        assert.strictEqual(expectJson(yield* create(partnerHeaders), 201, Schemas.Batch).createdClient, partner.clientId)

        yield* TestClock.adjust(Duration.seconds(1))
        expectJson(yield* create(), 201, Schemas.Batch)
        const counted = yield* counters
        assert.strictEqual(counted.batches, 4)
        assert.strictEqual(counted.counters["batches.create"], 6)
        // Only creates are limited.
        for (let i = 0; i < 5; i++) assert.strictEqual((yield* call(`${catalogPath}/batches`)).status, 200)
      }))
  })
})
