import { assert, describe, it } from "@effect/vitest"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { AepHttpError, AepValidationError } from "../src/AepError.js"
import * as Batches from "../src/Batches.js"
import * as Files from "../src/Files.js"
import {
  datasetId,
  driveClock,
  inPieces,
  jsonLines,
  pattern,
  retained,
  sandbox,
  startEmulator,
  totalRequests,
  utf8
} from "./support/lifecycle.js"

class SourceBroke extends Data.TaggedError("SourceBroke")<{ readonly reason: string }> {}

const createBatch = Batches.create({ datasetId, inputFormat: { format: "json" } })

const assertValidation = (error: unknown, field: RegExp | string, message?: RegExp) => {
  if (!(error instanceof AepValidationError)) return assert.fail(`expected AepValidationError, got ${String(error)}`)
  if (typeof field === "string") assert.strictEqual(error.field, field)
  else assert.match(error.field, field)
  if (message !== undefined) assert.match(error.issues.map((issue) => issue.message).join("\n"), message)
}

describe("Files.upload, small files (one PUT)", () => {
  it.scoped("sends the bytes in one PUT and the emulator keeps exactly them", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = utf8(jsonLines(5))
      const { batch, uploaded } = yield* started.provide(Effect.gen(function*() {
        const batch = yield* createBatch
        const uploaded = yield* Files.upload(batch.id, datasetId, Files.fromBytes("people.json", bytes))
        return { batch, uploaded }
      }))
      assert.deepStrictEqual(uploaded, { path: "people.json", size: bytes.length, method: "put", chunks: 1 })
      assert.deepStrictEqual(retained(started, batch.id, "people.json"), bytes)
      assert.strictEqual(started.state.counter("files.put"), 1)
      assert.strictEqual(started.state.counter("files.patch"), 0)
      assert.strictEqual(started.state.counter("files.action"), 0)
    }))

  it.scoped("keeps directories and sends unusual names so the emulator stores them as given", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const names = ["part=2026-12/people.json", "a b/c?d#e.json", "数据/ü.json", "a%2fb.json", "100%.json", "..."]
      const batch = yield* started.provide(Effect.gen(function*() {
        const batch = yield* createBatch
        for (const name of names) yield* Files.upload(batch.id, datasetId, Files.fromBytes(name, utf8(jsonLines(1))))
        return batch
      }))
      const stored = [...started.state.entry(sandbox, batch.id)!.files.keys()].sort()
      assert.deepStrictEqual(stored, [...names].sort())
    }))

  it.scoped("streams a source delivered in uneven pieces and reports progress up to the size", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = utf8(jsonLines(40))
      const seen: Array<Files.Progress> = []
      const batch = yield* started.provide(Effect.gen(function*() {
        const batch = yield* createBatch
        yield* Files.upload(batch.id, datasetId, { path: "pieces.json", size: bytes.length, stream: inPieces(bytes, [7, 100, 1, 33]) }, {
          onProgress: (progress) => Effect.sync(() => seen.push(progress))
        })
        return batch
      }))
      assert.deepStrictEqual(retained(started, batch.id, "pieces.json"), bytes)
      assert.isAbove(seen.length, 1)
      for (const [i, progress] of seen.entries()) {
        assert.strictEqual(progress.path, "pieces.json")
        assert.strictEqual(progress.size, bytes.length)
        if (i > 0) assert.isAbove(progress.bytesSent, seen[i - 1]!.bytesSent)
      }
      assert.strictEqual(seen.at(-1)?.bytesSent, bytes.length)
    }))

  it.scoped("a file of exactly largeFileThreshold bytes still goes in one PUT", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = utf8(jsonLines(3))
      const uploaded = yield* started.provide(Effect.flatMap(createBatch, (batch) =>
        Files.upload(batch.id, datasetId, Files.fromBytes("exact.json", bytes), { largeFileThreshold: bytes.length, chunkSize: 10 })))
      assert.strictEqual(uploaded.method, "put")
      assert.strictEqual(started.state.counter("files.patch"), 0)
    }))

  it.scoped("the source's own error surfaces with its type, not as a transport error", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const stream = Stream.concat(Stream.make(utf8("{\"id\":1}\n")), Stream.fail(new SourceBroke({ reason: "disk gone" })))
      const error = yield* started.provide(Effect.flatMap(createBatch, (batch) =>
        Files.upload(batch.id, datasetId, { path: "broken.json", size: 100, stream }))).pipe(Effect.flip)
      assert.instanceOf(error, SourceBroke)
      assert.strictEqual((error as SourceBroke).reason, "disk gone")
    }))
})

describe("Files.upload, large files (INITIALIZE, PATCH chunks, COMPLETE)", () => {
  it.scoped("sends several chunks in order with their Content-Range and completes the file", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = pattern(1000)
      const progress: Array<number> = []
      const { batch, uploaded } = yield* started.provide(Effect.gen(function*() {
        const batch = yield* createBatch
        const uploaded = yield* Files.upload(
          batch.id,
          datasetId,
          { path: "big/data.bin", size: bytes.length, stream: inPieces(bytes, [1, 300, 17, 99]) },
          { largeFileThreshold: 100, chunkSize: 128, onProgress: (p) => Effect.sync(() => progress.push(p.bytesSent)) }
        )
        return { batch, uploaded }
      }))
      assert.deepStrictEqual(uploaded, { path: "big/data.bin", size: 1000, method: "chunked", chunks: 8 })
      // The emulator got the bytes in order, chunk boundaries every 128 bytes, the last one short.
      assert.deepStrictEqual(retained(started, batch.id, "big/data.bin"), bytes)
      const file = started.state.entry(sandbox, batch.id)!.files.get("big/data.bin")!
      assert.isTrue(file.large)
      assert.isTrue(file.complete)
      assert.deepStrictEqual(file.ranges, [0, 1, 2, 3, 4, 5, 6, 7].map((i) => [i * 128, Math.min(i * 128 + 127, 999)]))
      assert.strictEqual(started.state.counter("files.patch"), 8)
      // INITIALIZE and COMPLETE.
      assert.strictEqual(started.state.counter("files.action"), 2)
      assert.strictEqual(started.state.counter("files.put"), 0)
      assert.deepStrictEqual(progress, [128, 256, 384, 512, 640, 768, 896, 1000])
    }))

  it.scoped("a file one byte over the threshold takes the large-file path", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = utf8(jsonLines(3))
      const uploaded = yield* started.provide(Effect.flatMap(createBatch, (batch) =>
        Files.upload(batch.id, datasetId, Files.fromBytes("over.json", bytes), { largeFileThreshold: bytes.length - 1 })))
      assert.strictEqual(uploaded.method, "chunked")
      assert.strictEqual(uploaded.chunks, 1)
      assert.strictEqual(started.state.counter("files.patch"), 1)
    }))

  it.scoped("a connection lost after a PATCH arrived: the client sends the chunk again, the file completes with the same bytes", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = pattern(700)
      started.state.faults.set({ rules: [{ method: "PATCH", path: "/files/retry\\.bin$", skip: 1, fault: { type: "reset", when: "after" } }] })
      const batch = yield* started.provide(createBatch)
      const uploaded = yield* driveClock(
        started,
        started.provide(Files.upload(batch.id, datasetId, { path: "retry.bin", size: bytes.length, stream: inPieces(bytes, [50]) }, {
          largeFileThreshold: 100,
          chunkSize: 200
        }))
      )
      assert.strictEqual(uploaded.chunks, 4)
      assert.strictEqual(started.state.counter("faults.reset"), 1)
      // Four chunks, the second one twice: the emulator took the repeated range as the same chunk.
      assert.strictEqual(started.state.counter("files.patch"), 5)
      const file = started.state.entry(sandbox, batch.id)!.files.get("retry.bin")!
      assert.isTrue(file.complete)
      assert.isFalse(file.overlap)
      assert.deepStrictEqual(retained(started, batch.id, "retry.bin"), bytes)
      yield* started.provide(Batches.complete(batch.id))
      assert.strictEqual(started.state.batch(sandbox, batch.id)?.status, "staging")
    }))

  it.scoped("a 503 on one PATCH: the chunk is sent again and the file completes with the same bytes", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = pattern(500)
      started.state.faults.set({ rules: [{ method: "PATCH", path: "/files/", skip: 2, fault: { type: "status", status: 503 } }] })
      const batch = yield* started.provide(createBatch)
      const uploaded = yield* driveClock(
        started,
        started.provide(Files.upload(batch.id, datasetId, Files.fromBytes("flaky.bin", bytes), { largeFileThreshold: 100, chunkSize: 100 }))
      )
      assert.strictEqual(uploaded.chunks, 5)
      assert.strictEqual(started.state.counter("faults.status"), 1)
      // The refused attempt never reached the endpoint (the fault answered first).
      assert.strictEqual(started.state.counter("files.patch"), 5)
      assert.deepStrictEqual(retained(started, batch.id, "flaky.bin"), bytes)
    }))

  it.scoped("a PATCH refused every time fails with AepHttpError; nothing after it is sent and the file is never completed", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = pattern(500)
      started.state.faults.set({ rules: [{ method: "PATCH", path: "/files/", skip: 2, times: 100, fault: { type: "status", status: 503 } }] })
      const batch = yield* started.provide(createBatch)
      const error = yield* driveClock(
        started,
        started.provide(Files.upload(batch.id, datasetId, Files.fromBytes("down.bin", bytes), { largeFileThreshold: 100, chunkSize: 100 }))
      ).pipe(Effect.flip)
      assert.instanceOf(error, AepHttpError)
      assert.strictEqual((error as AepHttpError).status, 503)
      assert.strictEqual((error as AepHttpError).operation, "Files.upload")
      const attempts = started.state.counter("faults.status")
      assert.isAtLeast(attempts, 2, "the chunk was tried more than once")
      // Chunks 1 and 2 went in, the third never did, nothing after it was sent, COMPLETE neither.
      assert.strictEqual(started.state.counter("files.patch"), 2)
      assert.strictEqual(started.state.counter("files.action"), 1)
      const file = started.state.entry(sandbox, batch.id)!.files.get("down.bin")!
      assert.isFalse(file.complete)
      assert.strictEqual(file.fed, 200)
      // AEP refuses to complete a batch with a half-uploaded file.
      const refused = yield* started.provide(Batches.complete(batch.id)).pipe(Effect.flip)
      assert.instanceOf(refused, AepHttpError)
      assert.strictEqual((refused as AepHttpError).status, 400)
      assert.strictEqual(started.state.batch(sandbox, batch.id)?.status, "loading")
    }))

  it.scoped("running a failed upload again (a re-runnable source) completes it with the same bytes", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const bytes = pattern(700)
      const source: Files.FileSource = { path: "again.bin", size: bytes.length, stream: inPieces(bytes, [64]) }
      const options = { largeFileThreshold: 100, chunkSize: 200 }
      // A refusal that is not retried (400): the first run stops at the third chunk.
      started.state.faults.set({ rules: [{ method: "PATCH", path: "/files/", skip: 2, fault: { type: "status", status: 400 } }] })
      const batch = yield* started.provide(createBatch)
      const first = yield* started.provide(Files.upload(batch.id, datasetId, source, options)).pipe(Effect.flip)
      assert.instanceOf(first, AepHttpError)
      assert.isFalse(started.state.entry(sandbox, batch.id)!.files.get("again.bin")!.complete)

      const second = yield* started.provide(Files.upload(batch.id, datasetId, source, options))
      assert.strictEqual(second.chunks, 4)
      assert.deepStrictEqual(retained(started, batch.id, "again.bin"), bytes)
      assert.isTrue(started.state.entry(sandbox, batch.id)!.files.get("again.bin")!.complete)
    }))
})

describe("Files.upload, a size that does not match the stream", () => {
  const cases = [
    { name: "small file, stream shorter than size", delivered: 20, size: 30, large: false },
    { name: "small file, stream longer than size", delivered: 40, size: 30, large: false },
    { name: "large file, stream shorter than size", delivered: 250, size: 300, large: true },
    { name: "large file, stream longer than size", delivered: 350, size: 300, large: true }
  ]
  for (const { delivered, large, name, size } of cases) {
    it.scoped(`${name}: AepValidationError on size, and the file is not complete`, () =>
      Effect.gen(function*() {
        const started = yield* startEmulator()
        const batch = yield* started.provide(createBatch)
        const error = yield* started.provide(
          Files.upload(batch.id, datasetId, { path: "wrong.bin", size, stream: inPieces(pattern(delivered), [10]) }, {
            largeFileThreshold: large ? 100 : 1000,
            chunkSize: 64
          })
        ).pipe(Effect.flip)
        assertValidation(error, "size", new RegExp(`delivered \\d+ bytes, size says ${size}`))
        const file = started.state.entry(sandbox, batch.id)?.files.get("wrong.bin")
        if (!large) assert.isUndefined(file, "a PUT that failed stores nothing")
        else {
          assert.strictEqual(started.state.counter("files.action"), 1, "INITIALIZE only, no COMPLETE")
          assert.isFalse(file!.complete)
        }
      }))
  }
})

describe("Files.upload validation: nothing is sent", () => {
  const traversal = ["..", ".", "../x.json", "a/../../b", "a/./b", "%2e%2e", "%2E%2e/x", "a//b", "/etc/passwd", "x/", "a\\b", "..\\..\\x", "a\u0000b", "a\nb", ""]
  for (const path of traversal) {
    it.scoped(`refuses the path ${JSON.stringify(path)} before any request`, () =>
      Effect.gen(function*() {
        const started = yield* startEmulator()
        const error = yield* started.provide(
          Files.upload("5d01230fc78a4e4f8c0c6b387b4b8d1c", datasetId, Files.fromBytes(path, utf8("{}\n")))
        ).pipe(Effect.flip)
        assertValidation(error, "path")
        assert.strictEqual((error as AepValidationError).operation, "Files.upload")
        assert.strictEqual(totalRequests(started.emulator), 0)
      }))
  }

  const bad: ReadonlyArray<readonly [string, string, Partial<Files.FileSource> & { readonly options?: Files.UploadOptions }]> = [
    ["a negative size", "size", { size: -1 }],
    ["a fractional size", "size", { size: 1.5 }],
    ["a size over 100 GB", "size", { size: 100 * 1024 ** 3 + 1 }],
    ["a threshold of 0", "largeFileThreshold", { options: { largeFileThreshold: 0 } }],
    ["a threshold over 256 MB", "largeFileThreshold", { options: { largeFileThreshold: 256 * 1024 ** 2 + 1 } }],
    ["a chunk size of 0", "chunkSize", { options: { chunkSize: 0 } }],
    ["a chunk size over 1 GB", "chunkSize", { options: { chunkSize: 1024 ** 3 + 1 } }]
  ]
  for (const [name, field, { options, ...override }] of bad) {
    it.scoped(`refuses ${name} before any request`, () =>
      Effect.gen(function*() {
        const started = yield* startEmulator()
        const source: Files.FileSource = { ...Files.fromBytes("ok.json", utf8("{}\n")), ...override }
        const error = yield* started.provide(Files.upload("5d01230fc78a4e4f8c0c6b387b4b8d1c", datasetId, source, options)).pipe(
          Effect.flip
        )
        assertValidation(error, field)
        assert.strictEqual(totalRequests(started.emulator), 0)
      }))
  }

  it.scoped("refuses a batch id or dataset id that would change the URL", () =>
    Effect.gen(function*() {
      const started = yield* startEmulator()
      const source = Files.fromBytes("ok.json", utf8("{}\n"))
      const badBatch = yield* started.provide(Files.upload("../batches", datasetId, source)).pipe(Effect.flip)
      assertValidation(badBatch, "batchId")
      const badDataset = yield* started.provide(Files.upload("abc", "ds?x=1", source)).pipe(Effect.flip)
      assertValidation(badDataset, "datasetId")
      assert.strictEqual(totalRequests(started.emulator), 0)
    }))

  it("validate checks the same without needing a client", () =>
    Effect.gen(function*() {
      const ok = yield* Files.validate("check", { batchId: "b1", datasetId: "d1", path: "a/b.json", size: 3 })
      assert.strictEqual(ok.path, "a/b.json")
      assert.strictEqual(ok.largeFileThreshold, Files.limits.smallFileBytes)
      assert.strictEqual(ok.chunkSize, 8 * 1024 * 1024)
      const error = yield* Effect.flip(Files.validate("check", { batchId: "b1", datasetId: "d1", path: "a/../b", size: 3 }))
      assertValidation(error, "path", /'\.' or '\.\.'/)
      assert.strictEqual(error.operation, "check")
    }).pipe(Effect.runSync))
})
