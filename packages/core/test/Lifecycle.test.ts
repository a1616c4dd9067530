import { BatchIngestion, Demo } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as DateTime from "effect/DateTime"
import * as Effect from "effect/Effect"
import * as Schedule from "effect/Schedule"
import * as Stream from "effect/Stream"
import * as TestClock from "effect/TestClock"
import { AepHttpError, AepTimeoutError, AepValidationError } from "../src/AepError.js"
import type * as Batch from "../src/Batch.js"
import { BatchFailed } from "../src/BatchFailed.js"
import * as Batches from "../src/Batches.js"
import * as Files from "../src/Files.js"
import {
  datasetId,
  driveClock,
  jsonLines,
  sandbox,
  type Started,
  startEmulator,
  totalRequests,
  utf8
} from "./support/lifecycle.js"

/** A batch with one JSON file, completed: `staging` from now on. */
const completedBatch = (content: string, options: Partial<Batches.CreateInput> = {}) =>
  Effect.gen(function*() {
    const batch = yield* Batches.create({ datasetId, inputFormat: { format: "json" }, ...options })
    yield* Files.upload(batch.id, datasetId, Files.fromBytes("data.json", utf8(content)))
    yield* Batches.complete(batch.id)
    return batch
  })

const status = (started: Started, id: string) => started.state.batch(sandbox, id)?.status

describe("signals", () => {
  it.scoped("complete starts processing, and completing again is harmless", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const batch = yield* started.provide(completedBatch(jsonLines(2)))
      assert.strictEqual(status(started, batch.id), "staging")
      yield* started.provide(Batches.complete(batch.id))
      assert.strictEqual(status(started, batch.id), "staging")
      assert.strictEqual(started.state.counter("batches.signal"), 2)
    }))

  it.scoped("abort leaves a loading batch aborted, and a finished one cannot be aborted", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const loading = yield* started.provide(Batches.create({ datasetId }))
      yield* started.provide(Batches.abort(loading.id))
      assert.strictEqual(status(started, loading.id), "aborted")
      assert.strictEqual((yield* started.provide(Batches.get(loading.id))).status, "aborted")

      const done = yield* started.provide(completedBatch(jsonLines(1)))
      yield* TestClock.adjust("1 second")
      const refused = yield* started.provide(Batches.abort(done.id)).pipe(Effect.flip)
      assert.instanceOf(refused, AepHttpError)
      assert.strictEqual((refused as AepHttpError).status, 400)
      assert.strictEqual((refused as AepHttpError).operation, "Batches.abort")
      assert.strictEqual(status(started, done.id), "success")
    }))

  it.scoped("fail marks a loading batch failed; awaiting it then gives BatchFailed", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const batch = yield* started.provide(Batches.create({ datasetId }))
      yield* started.provide(Batches.fail(batch.id))
      const error = yield* started.provide(Batches.awaitCompletion(batch.id)).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      const failed = error as BatchFailed
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.batchId, batch.id)
      assert.deepStrictEqual(failed.errors.map((e) => e.code), ["FAILED_BY_CLIENT"])
      assert.match(failed.message, new RegExp(`batch ${batch.id} ended failed: FAILED_BY_CLIENT`))
    }))

  it.scoped("revert turns a successful batch inactive, then deleted; awaiting it gives BatchFailed", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const batch = yield* started.provide(completedBatch(jsonLines(3)))
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* started.provide(Batches.get(batch.id))).status, "success")
      yield* started.provide(Batches.revert(batch.id))
      assert.strictEqual((yield* started.provide(Batches.get(batch.id))).status, "inactive")
      const error = yield* started.provide(Batches.awaitCompletion(batch.id)).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      assert.strictEqual((error as BatchFailed).status, "inactive")
      yield* TestClock.adjust("1 second")
      assert.strictEqual((yield* started.provide(Batches.get(batch.id))).status, "deleted")
    }))

  it.scoped("revert of a batch that did not succeed is refused", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const batch = yield* started.provide(Batches.create({ datasetId }))
      const error = yield* started.provide(Batches.revert(batch.id)).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).status, 400)
      assert.strictEqual(status(started, batch.id), "loading")
    }))

  it.scoped("signals and get refuse an id that would change the URL, before any request", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      for (const signal of [Batches.complete, Batches.abort, Batches.fail, Batches.revert, Batches.get]) {
        const error = yield* started.provide(signal("../dataSets")).pipe(Effect.flip)
        assert.instanceOf(error, AepValidationError)
        assert.strictEqual((error as AepValidationError).field, "batchId")
      }
      assert.strictEqual(totalRequests(started.emulator), 0)
    }))

  it.scoped("get of an unknown batch is a 404 AepHttpError", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const error = yield* started.provide(Batches.get("0123456789abcdef0123456789abcdef")).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).status, 404)
    }))
})

// --- list ------------------------------------------------------------------------------------

const otherDataset = "6a1f3c555033b814b69f9480"
const total = 250

/**
 * 250 batches made directly in the emulator's state (no HTTP), one second apart: batch `i` is
 * stamped as created at `(i + 1) * 1000` ms (set on the record: stepping the TestClock 250 times
 * would cost a second of real time), has externalId `ext-i`, tag `team` `a` (even i)
 * or `b`, tag `special` when `i % 3 === 0`, belongs to the other dataset when `i % 5 === 0`, and
 * is aborted when `i % 7 === 0`.
 */
const seed = (started: Started) =>
  Effect.gen(function*() {
    started.state.addDataset(sandbox, otherDataset, 0)
    const caller = { orgId: Demo.orgId, clientId: Demo.apiKey, sandboxName: sandbox }
    const ids: Array<string> = []
    for (let i = 0; i < total; i++) {
      const record = yield* BatchIngestion.createBatch(
        started.state,
        caller,
        "application/json",
        JSON.stringify({
          datasetId: i % 5 === 0 ? otherDataset : datasetId,
          externalId: `ext-${i}`,
          tags: { team: [i % 2 === 0 ? "a" : "b"], ...(i % 3 === 0 ? { special: ["yes"] } : {}) }
        })
      )
      record.created = (i + 1) * 1000
      record.updated = record.created
      if (i % 7 === 0) yield* BatchIngestion.signal(started.state, caller, record.id, "ABORT")
      ids.push(record.id)
    }
    return ids
  })

const collect = (filter: Batches.ListFilter) =>
  Effect.map(Stream.runCollect(Batches.list(filter)), (batches) => Chunk.toReadonlyArray(batches))

const indexes = (ids: ReadonlyArray<string>, batches: ReadonlyArray<Batch.Batch>) => batches.map((batch) => ids.indexOf(batch.id))

const range = (predicate: (i: number) => boolean) => Array.from({ length: total }, (_, i) => i).filter(predicate)

describe("Batches.list", () => {
  it.scoped("yields each of 250 batches exactly once, in creation order, 7 per request", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const ids = yield* seed(started)
      const batches = yield* started.provide(collect({ pageSize: 7 }))
      assert.strictEqual(batches.length, total)
      assert.strictEqual(new Set(batches.map((b) => b.id)).size, total)
      assert.deepStrictEqual(batches.map((b) => b.id), ids)
      // 35 full pages and one of 5: the short page ends the listing.
      assert.strictEqual(started.state.counter("catalog.listBatches"), 36)
    }))

  it.scoped("pages by 100 by default", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const ids = yield* seed(started)
      const batches = yield* started.provide(collect({}))
      assert.deepStrictEqual(batches.map((b) => b.id), ids)
      assert.strictEqual(started.state.counter("catalog.listBatches"), 3)
    }))

  it.scoped("reads only as many pages as are consumed", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const ids = yield* seed(started)
      const first = yield* started.provide(Stream.runCollect(Batches.list({ pageSize: 7 }).pipe(Stream.take(10))))
      assert.deepStrictEqual(Chunk.toReadonlyArray(first).map((b) => b.id), ids.slice(0, 10))
      assert.strictEqual(started.state.counter("catalog.listBatches"), 2)
    }))

  it.scoped("orderBy desc:created yields every batch once, newest first", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const ids = yield* seed(started)
      const batches = yield* started.provide(collect({ pageSize: 7, orderBy: { field: "created", direction: "desc" } }))
      assert.deepStrictEqual(batches.map((b) => b.id), [...ids].reverse())
    }))

  it.scoped("filters by dataset, status, externalId, tags and creation time, paging through each", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const ids = yield* seed(started)
      const check = (filter: Batches.ListFilter, expected: ReadonlyArray<number>) =>
        Effect.map(started.provide(collect({ pageSize: 30, ...filter })), (batches) =>
          assert.deepStrictEqual(indexes(ids, batches), expected, JSON.stringify(filter)))

      yield* check({ datasetId: otherDataset }, range((i) => i % 5 === 0))
      yield* check({ datasetId }, range((i) => i % 5 !== 0))
      yield* check({ status: "aborted" }, range((i) => i % 7 === 0))
      yield* check({ status: ["loading"] }, range((i) => i % 7 !== 0))
      yield* check({ status: ["loading", "aborted"] }, range(() => true))
      yield* check({ status: "success" }, [])
      yield* check({ externalId: "ext-42" }, [42])
      yield* check({ tags: { team: "a" } }, range((i) => i % 2 === 0))
      yield* check({ tags: { special: true } }, range((i) => i % 3 === 0))
      yield* check({ tags: { team: "b", special: true } }, range((i) => i % 2 === 1 && i % 3 === 0))
      // Batch i was created at (i + 1) s: after 100.5 s and before 110.5 s are batches 100 to 109,
      // whichever way the instant is given.
      const expected = range((i) => i >= 100 && i <= 109)
      yield* check({ createdAfter: 100_500, createdBefore: 110_500 }, expected)
      yield* check({ createdAfter: new Date(100_500), createdBefore: new Date(110_500) }, expected)
      yield* check({ createdAfter: DateTime.unsafeMake(100_500), createdBefore: DateTime.unsafeMake(110_500) }, expected)
      yield* check(
        { datasetId, status: "loading", tags: { team: "a" }, orderBy: { field: "created", direction: "desc" } },
        range((i) => i % 5 !== 0 && i % 7 !== 0 && i % 2 === 0).reverse()
      )
    }))

  it.scoped("refuses a bad filter before any request", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bad: ReadonlyArray<readonly [unknown, string]> = [
        [{ pageSize: 0 }, "pageSize"],
        [{ pageSize: 101 }, "pageSize"],
        [{ pageSize: 2.5 }, "pageSize"],
        [{ status: "done" }, "status"],
        [{ tags: { "a,b": true } }, "tags"],
        [{ tags: { team: "x,y" } }, "tags"],
        [{ externalId: "" }, "externalId"],
        [{ datasetId: "../x" }, "datasetId"],
        [{ orderBy: { field: "size" } }, "orderBy"],
        [{ limit: 5 }, "limit"]
      ]
      for (const [filter, field] of bad) {
        const error = yield* started.provide(collect(filter as Batches.ListFilter)).pipe(Effect.flip)
        assert.instanceOf(error, AepValidationError, JSON.stringify(filter))
        assert.isTrue((error as AepValidationError).field.startsWith(field), `${JSON.stringify(filter)}: ${(error as AepValidationError).field}`)
      }
      assert.strictEqual(totalRequests(started.emulator), 0)
    }))
})

// --- awaitCompletion -------------------------------------------------------------------------

describe("Batches.awaitCompletion (TestClock)", () => {
  it.scoped("polls on the default schedule until success; onStatus sees staging → processing → success", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 10_000 })
      const batch = yield* started.provide(completedBatch(jsonLines(4)))
      const seen: Array<string> = []
      const t0 = yield* TestClock.currentTimeMillis
      const final = yield* driveClock(started, started.provide(Batches.awaitCompletion(batch.id, {
        onStatus: (current) => Effect.sync(() => seen.push(current.status))
      })))
      assert.strictEqual(final.status, "success")
      assert.strictEqual(final.recordCount, 4)
      assert.deepStrictEqual(seen, ["staging", "processing", "success"])
      // Reads at 0, 1, 2.5, 4.75, 8.125 and 13.19 s (from 1 s, ×1.5): processing ends at 10 s.
      assert.strictEqual(started.state.counter("catalog.getBatch"), 6)
      assert.strictEqual(Math.floor((yield* TestClock.currentTimeMillis) - t0), 13_187)
    }))

  it.scoped("a custom schedule sets the pace", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const batch = yield* started.provide(completedBatch(jsonLines(1)))
      const seen: Array<string> = []
      const final = yield* driveClock(started, started.provide(Batches.awaitCompletion(batch.id, {
        schedule: Schedule.spaced("250 millis"),
        onStatus: (current) => Effect.sync(() => seen.push(current.status))
      })))
      assert.strictEqual(final.status, "success")
      assert.deepStrictEqual(seen, ["staging", "processing", "success"])
      // 0, 250, 500, 750, 1000 ms.
      assert.strictEqual(started.state.counter("catalog.getBatch"), 5)
    }))

  it.scoped("an already final batch is read once", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 1000 })
      const batch = yield* started.provide(completedBatch(jsonLines(1)))
      yield* TestClock.adjust("5 seconds")
      const final = yield* started.provide(Batches.awaitCompletion(batch.id))
      assert.strictEqual(final.status, "success")
      assert.strictEqual(started.state.counter("catalog.getBatch"), 1)
    }))

  it.scoped("a batch AEP fails gives BatchFailed carrying its errors and metrics", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 2000 })
      const batch = yield* started.provide(completedBatch("{\"id\":1}\nnot json at all\n"))
      const error = yield* driveClock(started, started.provide(Batches.awaitCompletion(batch.id))).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      const failed = error as BatchFailed
      assert.strictEqual(failed.status, "failed")
      assert.strictEqual(failed.batch.metrics?.inputRecordCount, 2)
      assert.strictEqual(failed.batch.metrics?.failedRecordCount, 1)
      assert.includeMembers(failed.errors.map((e) => e.code), ["INGEST-1212-400", "INGEST-1401-400"])
      assert.match(failed.message, /ended failed \(1 of 2 rows failed\): INGEST-1212-400/)
    }))

  it.scoped("an aborted batch gives BatchFailed with status aborted", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const batch = yield* started.provide(Batches.create({ datasetId }))
      yield* started.provide(Batches.abort(batch.id))
      const error = yield* started.provide(Batches.awaitCompletion(batch.id)).pipe(Effect.flip)
      assert.instanceOf(error, BatchFailed)
      assert.strictEqual((error as BatchFailed).status, "aborted")
    }))

  it.scoped("times out with AepTimeoutError when processing never ends", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 30 * 24 * 3600 * 1000 })
      const batch = yield* started.provide(completedBatch(jsonLines(1)))
      const t0 = yield* TestClock.currentTimeMillis
      const error = yield* driveClock(started, started.provide(Batches.awaitCompletion(batch.id, { timeout: "2 minutes" }))).pipe(
        Effect.flip
      )
      assert.instanceOf(error, AepTimeoutError)
      const timeout = error as AepTimeoutError
      assert.strictEqual(timeout.batchId, batch.id)
      assert.strictEqual(timeout.waitedMillis, 120_000)
      assert.strictEqual(timeout.lastStatus, "staging")
      assert.strictEqual((yield* TestClock.currentTimeMillis) - t0, 120_000)
      // From 1 s, ×1.5, capped at 30 s: reads at 0, 1, 2.5, 4.75, 8.1, 13.2, 20.8, 32.1, 49.2, 79.2, 109.2 s.
      assert.strictEqual(started.state.counter("catalog.getBatch"), 11)
    }))

  it.scoped("times out after an hour by default", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 30 * 24 * 3600 * 1000 })
      const batch = yield* started.provide(completedBatch(jsonLines(1)))
      const t0 = yield* TestClock.currentTimeMillis
      const error = yield* driveClock(
        started,
        started.provide(Batches.awaitCompletion(batch.id, { schedule: Schedule.spaced("11 minutes") }))
      ).pipe(Effect.flip)
      assert.instanceOf(error, AepTimeoutError)
      assert.strictEqual((error as AepTimeoutError).waitedMillis, 3_600_000)
      assert.strictEqual((yield* TestClock.currentTimeMillis) - t0, 3_600_000)
      // Reads at 0, 11, 22, 33, 44 and 55 minutes.
      assert.strictEqual(started.state.counter("catalog.getBatch"), 6)
    }))

  it.scoped("a batch left loading is never final: it times out with lastStatus loading", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const batch = yield* started.provide(Batches.create({ datasetId }))
      const error = yield* driveClock(started, started.provide(Batches.awaitCompletion(batch.id, { timeout: "10 seconds" }))).pipe(
        Effect.flip
      )
      assert.instanceOf(error, AepTimeoutError)
      assert.strictEqual((error as AepTimeoutError).lastStatus, "loading")
    }))

  it.scoped("a schedule that ends before the batch is final fails with AepTimeoutError, not a non-final batch", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator({ processingDelayMillis: 60_000 })
      const batch = yield* started.provide(completedBatch(jsonLines(1)))
      const result = yield* driveClock(started, started.provide(Batches.awaitCompletion(batch.id, {
        schedule: Schedule.spaced("1 second").pipe(Schedule.compose(Schedule.recurs(2)))
      }))).pipe(Effect.either)
      assert.isTrue(result._tag === "Left", `succeeded with status ${result._tag === "Right" ? result.right.status : ""}`)
      if (result._tag === "Left") {
        assert.instanceOf(result.left, AepTimeoutError)
        assert.strictEqual((result.left as AepTimeoutError).lastStatus, "staging")
        assert.strictEqual((result.left as AepTimeoutError).waitedMillis, 2000)
      }
      assert.strictEqual(started.state.counter("catalog.getBatch"), 3)
    }))

  it.scoped("refuses a bad id before any request", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const error = yield* started.provide(Batches.awaitCompletion("a/b")).pipe(Effect.flip)
      assert.instanceOf(error, AepValidationError)
      assert.strictEqual(totalRequests(started.emulator), 0)
    }))
})
