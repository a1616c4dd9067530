import { assert, describe, it } from "@effect/vitest"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Batch from "../src/Batch.js"

const decode = Schema.decodeUnknown(Batch.Batch)
const decodeKeyed = Schema.decodeUnknown(Batch.Keyed)

const minimal = { id: "5d01230fc78a4e4f8c0c6b387b4b8d1c", status: "loading" }

const documented: ReadonlyArray<Batch.KnownStatus> = [
  "loading",
  "loaded",
  "queued",
  "processing",
  "staging",
  "staged",
  "retrying",
  "stalled",
  "success",
  "active",
  "failed",
  "failure",
  "aborted",
  "abandoned",
  "inactive",
  "deleted",
  "archived",
  "retained"
]
const terminal = ["success", "active", "failed", "failure", "aborted", "abandoned", "inactive", "deleted"]

describe("Batch", () => {
  it.effect("decodes ids as 32 hex digits, ULIDs and UUIDs", () =>
    Effect.gen(function*() {
      for (
        const id of [
          "5d01230fc78a4e4f8c0c6b387b4b8d1c",
          "01E8043CY305K2MTV5ANH9G1GC",
          "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
        ]
      ) {
        const batch = yield* decode({ ...minimal, id })
        assert.strictEqual(batch.id, id)
      }
    }))

  it.effect("decodes created and updated of 0 as the epoch", () =>
    Effect.gen(function*() {
      const batch = yield* decode({ ...minimal, created: 0, updated: 0 })
      assert.strictEqual(DateTime.toEpochMillis(batch.created!), 0)
      assert.strictEqual(DateTime.toEpochMillis(batch.updated!), 0)
      assert.isTrue(DateTime.isUtc(batch.created!))
    }))

  it.effect("decodes started and completed as epoch milliseconds", () =>
    Effect.gen(function*() {
      const batch = yield* decode({ ...minimal, started: 1552694873602, completed: 1552694999000 })
      assert.strictEqual(DateTime.toEpochMillis(batch.started!), 1552694873602)
      assert.strictEqual(DateTime.toEpochMillis(batch.completed!), 1552694999000)
    }))

  it.effect("refuses a timestamp that is not a number", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(decode({ ...minimal, created: "yesterday" }))
      assert.isTrue(Either.isLeft(result))
    }))

  it.effect("keeps tags whose values are booleans and numbers", () =>
    Effect.gen(function*() {
      const tags = {
        acp_enableErrorDiagnostics: true,
        acp_partialIngestionPercent: 5,
        acp_producer: ["client"],
        mixed: ["a", 1, false]
      }
      const batch = yield* decode({ ...minimal, tags })
      assert.deepStrictEqual(batch.tags, tags)
    }))

  it.effect("decodes errors with numeric codes as strings, rows and recordCount", () =>
    Effect.gen(function*() {
      const batch = yield* decode({
        ...minimal,
        status: "success",
        errors: [
          { code: 106, description: "Dataset file is empty.", rows: [] },
          { code: "INGEST-1401-400", description: "The row has corrupted data", recordCount: 2 },
          { code: "INGEST-1212-400" }
        ]
      })
      const errors = batch.errors!
      assert.strictEqual(errors.length, 3)
      assert.strictEqual(errors[0]!.code, "106")
      assert.isString(errors[0]!.code)
      assert.deepStrictEqual(errors[0]!.rows, [])
      assert.strictEqual(errors[1]!.code, "INGEST-1401-400")
      assert.strictEqual(errors[1]!.recordCount, 2)
      assert.isUndefined(errors[2]!.description)
    }))

  it.effect("refuses an error without a code", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(decode({ ...minimal, errors: [{ description: "no code" }] }))
      assert.isTrue(Either.isLeft(result))
    }))

  it.effect("keeps metrics keys beyond the documented ones", () =>
    Effect.gen(function*() {
      const metrics = {
        inputByteSize: 568,
        inputFileCount: 1,
        inputRecordCount: 519,
        outputRecordCount: 514,
        failedRecordCount: 5,
        recordsRead: 519,
        recordsWritten: 514,
        startTime: "1552694873602",
        partitionStats: { a: 1 }
      }
      const batch = yield* decode({ ...minimal, metrics })
      assert.deepStrictEqual(batch.metrics, metrics)
    }))

  it.effect("decodes an unknown future status, which is not terminal", () =>
    Effect.gen(function*() {
      const batch = yield* decode({ ...minimal, status: "hibernating" })
      assert.strictEqual(batch.status, "hibernating")
      assert.isFalse(Batch.isTerminal(batch.status))
      assert.isFalse(Batch.isSuccess(batch.status))
      assert.isFalse(Batch.isFailure(batch.status))
    }))

  it.effect("refuses a status that is not a string", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(decode({ ...minimal, status: 3 }))
      assert.isTrue(Either.isLeft(result))
    }))

  it.effect("decodes every documented status", () =>
    Effect.gen(function*() {
      for (const status of documented) {
        const batch = yield* decode({ ...minimal, status })
        assert.strictEqual(batch.status, status)
      }
    }))

  it("isTerminal is true exactly for the documented terminal statuses", () => {
    for (const status of documented) {
      assert.strictEqual(Batch.isTerminal(status), terminal.includes(status), status)
    }
  })

  it("isSuccess is true for success and active only", () => {
    for (const status of documented) {
      assert.strictEqual(Batch.isSuccess(status), status === "success" || status === "active", status)
    }
  })

  it("isFailure is true for failed and failure only", () => {
    for (const status of documented) {
      assert.strictEqual(Batch.isFailure(status), status === "failed" || status === "failure", status)
    }
  })

  it.effect("tolerates unknown top-level fields", () =>
    Effect.gen(function*() {
      const batch = yield* decode({
        ...minimal,
        somethingNew: { nested: true },
        dataSetVersion: 3,
        "acp:future": null
      })
      assert.strictEqual(batch.id, minimal.id)
      assert.strictEqual(batch.status, "loading")
    }))

  it.effect("decodes availableDates from seconds", () =>
    Effect.gen(function*() {
      const batch = yield* decode({ ...minimal, availableDates: { startDate: 1552694873, endDate: 1552698473 } })
      assert.strictEqual(DateTime.toEpochMillis(batch.availableDates!.startDate!), 1552694873 * 1000)
      assert.strictEqual(DateTime.toEpochMillis(batch.availableDates!.endDate!), 1552698473 * 1000)
    }))

  it.effect("datasetId comes from the dataSet related object", () =>
    Effect.gen(function*() {
      const batch = yield* decode({
        ...minimal,
        relatedObjects: [{ type: "tag", id: "t1" }, { type: "dataSet", id: "5c8c3c555033b814b69f947f" }]
      })
      assert.strictEqual(batch.datasetId, "5c8c3c555033b814b69f947f")
      const without = yield* decode(minimal)
      assert.isUndefined(without.datasetId)
    }))

  it.effect("decodes the replay echoed without the $ prefix", () =>
    Effect.gen(function*() {
      const batch = yield* decode({
        ...minimal,
        replay: { predecessors: ["01E8043CY305K2MTV5ANH9G1GC"], reason: "replace" }
      })
      assert.deepStrictEqual(batch.replay, { predecessors: ["01E8043CY305K2MTV5ANH9G1GC"], reason: "replace" })
    }))

  it.effect("refuses a batch without an id or a status", () =>
    Effect.gen(function*() {
      assert.isTrue(Either.isLeft(yield* Effect.either(decode({ status: "loading" }))))
      assert.isTrue(Either.isLeft(yield* Effect.either(decode({ id: minimal.id }))))
    }))
})

describe("Batch.Keyed", () => {
  it.effect("fills each batch's id from its key", () =>
    Effect.gen(function*() {
      const batches = yield* decodeKeyed({
        "01E8043CY305K2MTV5ANH9G1GC": { status: "success", created: 1552694873602 },
        "5d01230fc78a4e4f8c0c6b387b4b8d1c": { status: "processing", relatedObjects: [{ type: "dataSet", id: "ds1" }] }
      })
      assert.strictEqual(batches.length, 2)
      const byId = new Map(batches.map((batch) => [batch.id, batch]))
      assert.strictEqual(byId.get("01E8043CY305K2MTV5ANH9G1GC")!.status, "success")
      assert.strictEqual(DateTime.toEpochMillis(byId.get("01E8043CY305K2MTV5ANH9G1GC")!.created!), 1552694873602)
      assert.strictEqual(byId.get("5d01230fc78a4e4f8c0c6b387b4b8d1c")!.status, "processing")
      assert.strictEqual(byId.get("5d01230fc78a4e4f8c0c6b387b4b8d1c")!.datasetId, "ds1")
      assert.instanceOf(byId.get("5d01230fc78a4e4f8c0c6b387b4b8d1c"), Batch.Batch)
    }))

  it.effect("the key wins over an id inside the object", () =>
    Effect.gen(function*() {
      const [batch] = yield* decodeKeyed({ abc: { id: "other", status: "loading" } })
      assert.strictEqual(batch!.id, "abc")
    }))

  it.effect("an empty answer is no batches", () =>
    Effect.gen(function*() {
      assert.deepStrictEqual(yield* decodeKeyed({}), [])
    }))

  it.effect("refuses an entry without a status", () =>
    Effect.gen(function*() {
      const result = yield* Effect.either(decodeKeyed({ abc: { created: 0 } }))
      assert.isTrue(Either.isLeft(result))
    }))
})
