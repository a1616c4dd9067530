import { Batches, Files, Ingest } from "@effect-aep/core"
import { AepValidationError } from "@effect-aep/core/AepError"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { appendFileSync } from "node:fs"
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import * as AepNode from "../src/AepNode.js"
import * as FileSource from "../src/FileSource.js"

/** A temporary directory, removed when the test's scope closes. */
const tempDir = Effect.acquireRelease(
  Effect.promise(() => mkdtemp(join(tmpdir(), "effect-aep-filesource-"))),
  (dir) => Effect.promise(() => rm(dir, { recursive: true, force: true }))
)

const write = (path: string, content: string | Uint8Array) => Effect.promise(() => writeFile(path, content))

const lines = (count: number) => Array.from({ length: count }, (_, i) => JSON.stringify({ id: i, name: `person ${i}` })).join("\n") + "\n"

const bytesOf = <E>(stream: Stream.Stream<Uint8Array, E>) =>
  Effect.map(Stream.runCollect(stream), (chunks) => {
    const all = Chunk.toReadonlyArray(chunks)
    return { pieces: all.length, bytes: Buffer.concat(all.map((c) => Buffer.from(c))).toString("utf8") }
  })

const emulatorClient = (options: Emulator.Options = {}) =>
  Effect.map(Emulator.start({ processingDelayMillis: 0, ...options }), (emulator) => ({
    emulator,
    layer: AepNode.layer({ platformUrl: emulator.url, orgId: Demo.orgId, apiKey: Demo.apiKey, accessToken: Demo.accessToken })
  }))

const retained = (emulator: Emulator.Emulator, batchId: string, name: string) =>
  Buffer.concat(emulator.state.entry(Demo.sandboxName, batchId)!.files.get(name)!.retained!.map((c) => Buffer.from(c))).toString("utf8")

describe("FileSource.fromPath", () => {
  it.scoped("takes the size from stat, the name from the file, and streams the bytes (again on every run)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const content = lines(50)
      yield* write(join(dir, "people.json"), content)
      const source = yield* FileSource.fromPath(join(dir, "people.json"), { readChunkSize: 100 })
      assert.strictEqual(source.path, "people.json")
      assert.strictEqual(source.size, Buffer.byteLength(content))
      const first = yield* bytesOf(source.stream)
      assert.strictEqual(first.bytes, content)
      assert.strictEqual(first.pieces, Math.ceil(source.size / 100))
      // A retried request reads the file from the start again.
      assert.deepStrictEqual(yield* bytesOf(source.stream), first)
    }))

  it.scoped("takes a name inside the batch, directories included", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(join(dir, "local-name.csv"), "id\n1\n")
      const source = yield* FileSource.fromPath(join(dir, "local-name.csv"), { path: "part=2026-12/people.csv" })
      assert.strictEqual(source.path, "part=2026-12/people.csv")
      assert.strictEqual(source.size, 5)
    }))

  it.scoped("refuses a directory", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* Effect.promise(() => mkdir(join(dir, "sub")))
      const error = yield* Effect.flip(FileSource.fromPath(join(dir, "sub")))
      assert.strictEqual(error._tag, "SystemError")
      if (error._tag === "SystemError") {
        assert.strictEqual(error.reason, "BadResource")
        assert.match(error.message, /is a directory, not a file/)
      }
    }))

  it.scoped("a missing file fails with a PlatformError (NotFound) naming it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const error = yield* Effect.flip(FileSource.fromPath(join(dir, "nope.json")))
      assert.strictEqual(error._tag, "SystemError")
      if (error._tag === "SystemError") {
        assert.strictEqual(error.reason, "NotFound")
        assert.include(String(error.pathOrDescriptor), "nope.json")
      }
    }))

  it.scoped("an empty file is a source of 0 bytes", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      yield* write(join(dir, "empty.json"), "")
      const source = yield* FileSource.fromPath(join(dir, "empty.json"))
      assert.strictEqual(source.size, 0)
      assert.strictEqual((yield* bytesOf(source.stream)).bytes, "")
    }))
})

describe("FileSource.fromPath through the emulator", () => {
  it.scoped("ingests files from disk to success; the emulator holds their bytes", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { emulator, layer } = yield* emulatorClient()
      yield* write(join(dir, "a.json"), lines(3))
      yield* write(join(dir, "b.json"), lines(4))
      const batch = yield* Effect.gen(function*() {
        const files = yield* Effect.forEach(["a.json", "b.json"], (name) => FileSource.fromPath(join(dir, name)))
        return yield* Ingest.run({ datasetId: Demo.datasetId, inputFormat: { format: "json" }, files })
      }).pipe(Effect.provide(layer))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 7)
      assert.strictEqual(retained(emulator, batch.id, "a.json"), lines(3))
      assert.strictEqual(retained(emulator, batch.id, "b.json"), lines(4))
    }))

  it.scoped("a file above the threshold goes in chunks, read from disk in pieces of another size", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { emulator, layer } = yield* emulatorClient()
      const content = lines(200)
      yield* write(join(dir, "big.json"), content)
      const size = Buffer.byteLength(content)
      const batch = yield* Effect.gen(function*() {
        const file = yield* FileSource.fromPath(join(dir, "big.json"), { path: "dir/big.json", readChunkSize: 333 })
        return yield* Ingest.run({
          datasetId: Demo.datasetId,
          inputFormat: { format: "json" },
          files: [file],
          upload: { largeFileThreshold: 1024, chunkSize: 1000 }
        })
      }).pipe(Effect.provide(layer))
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 200)
      assert.strictEqual(emulator.state.counter("files.patch"), Math.ceil(size / 1000))
      assert.strictEqual(retained(emulator, batch.id, "dir/big.json"), content)
    }))

  it.scoped("a file that grew after stat fails with AepValidationError on size, and the batch is aborted", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { emulator, layer } = yield* emulatorClient()
      const path = join(dir, "growing.json")
      yield* write(path, lines(10))
      const error = yield* Effect.gen(function*() {
        const file = yield* FileSource.fromPath(path)
        appendFileSync(path, lines(10))
        return yield* Ingest.run({ datasetId: Demo.datasetId, inputFormat: { format: "json" }, files: [file] })
      }).pipe(Effect.provide(layer), Effect.flip)
      assert.instanceOf(error, AepValidationError)
      assert.strictEqual((error as AepValidationError).field, "size")
      const [entry] = [...emulator.state.batches.values()]
      assert.strictEqual(entry?.record.status, "aborted")
    }))

  it.scoped("Files.upload of a file from disk (one PUT)", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { emulator, layer } = yield* emulatorClient()
      yield* write(join(dir, "one.json"), lines(2))
      const { batch, uploaded } = yield* Effect.gen(function*() {
        const batch = yield* Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "json" } })
        const uploaded = yield* Files.upload(batch.id, Demo.datasetId, yield* FileSource.fromPath(join(dir, "one.json")))
        return { batch, uploaded }
      }).pipe(Effect.provide(layer))
      assert.deepStrictEqual(uploaded, { path: "one.json", size: Buffer.byteLength(lines(2)), method: "put", chunks: 1 })
      assert.strictEqual(retained(emulator, batch.id, "one.json"), lines(2))
    }))
})
