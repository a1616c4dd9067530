import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Emulator from "../src/Emulator.js"
import * as Processing from "../src/Processing.js"
import * as Schemas from "../src/Schemas.js"
import {
  call,
  createBatch,
  decode,
  expectEmpty,
  expectJson,
  expectProblem,
  exportPath,
  headers,
  ingest,
  parquet,
  putFile,
  signal,
  utf8
} from "./support.js"

const good = "{\"id\":1}\n{\"id\":2}\n"
const bad = "{\"id\":1}\n{broken\n{\"id\":3}\n[4]\n{\"id\":5}\n"

const listing = (path: string) => Effect.map(call(path), (answer) => expectJson(answer, 200, Schemas.Listing))

/** Follows a listing's `href` as a client would: it is an absolute URL to the emulator. */
const follow = (href: string) =>
  Effect.gen(function*() {
    const { url } = yield* Emulator.Emulator
    assert.isTrue(href.startsWith(`${url}${exportPath}/`), href)
    return yield* call(href.slice(url.length))
  })

describe("DataAccess", () => {
  it.layer(Emulator.layer({ processingDelayMillis: 10 }))((it) => {
    it.effect("lists a failed batch's files with their length, and downloads each by ?path=", () =>
      Effect.gen(function*() {
        const batch = yield* ingest({ inputFormat: { format: "json" } }, { "good.json": good, "bad.json": bad })
        assert.strictEqual(batch.status, "failed")
        const failed = yield* listing(`${exportPath}/batches/${batch.id}/failed`)
        assert.deepStrictEqual(failed._page, { limit: 100, count: 2 })
        assert.sameMembers(failed.data.map((entry) => entry.name), ["good.json", "bad.json"])
        for (const entry of failed.data) {
          const content = entry.name === "good.json" ? good : bad
          assert.strictEqual(entry.length, String(utf8(content).length))
          const download = yield* follow(entry._links.self.href)
          assert.strictEqual(download.status, 200)
          assert.strictEqual(download.headers.get("content-type"), "application/octet-stream")
          assert.strictEqual(download.text, content)
        }
        expectProblem(yield* call(`${exportPath}/batches/${batch.id}/failed?path=other.json`), 404, /no failed file/)
      }))

    it.effect("lists row-error files under meta?path=row_errors, whose lines are the documented diagnostics", () =>
      Effect.gen(function*() {
        const batch = yield* ingest(
          { inputFormat: { format: "json" }, partialIngestionPercentage: 50 },
          { "good.json": good, "dir/bad.json": bad }
        )
        assert.strictEqual(batch.status, "success")
        // After partial ingestion, only the file that held failed rows is listed.
        const failed = yield* listing(`${exportPath}/batches/${batch.id}/failed`)
        assert.deepStrictEqual(failed.data.map((entry) => entry.name), ["dir/bad.json"])
        assert.strictEqual((yield* follow(failed.data[0]!._links.self.href)).text, bad)

        const root = yield* listing(`${exportPath}/batches/${batch.id}/meta`)
        assert.deepStrictEqual(root.data.map((entry) => entry.name), ["row_errors"])
        const viaLink = yield* follow(root.data[0]!._links.self.href)
        const rowErrors = expectJson(viaLink, 200, Schemas.Listing)
        assert.deepStrictEqual(rowErrors, yield* listing(`${exportPath}/batches/${batch.id}/meta?path=row_errors`))
        assert.strictEqual(rowErrors.data.length, 1)
        const file = rowErrors.data[0]!
        assert.strictEqual(file.name, "row_errors/dir_bad.json.json")

        const download = yield* follow(file._links.self.href)
        assert.strictEqual(download.status, 200)
        assert.match(download.headers.get("content-type") ?? "", /^application\/json/)
        assert.strictEqual(String(utf8(download.text).length), file.length)
        const lines = download.text.split("\n").filter((line) => line !== "").map((line) => decode(Schemas.RowErrorLine, line))
        const line = (record: string): typeof Schemas.RowError.Type => ({
          _corrupt_record: record,
          _errors: [{ code: "1401", message: Processing.corruptRowMessage }],
          _filename: "dir/bad.json"
        })
        assert.deepStrictEqual(lines, [line("{broken"), line("[4]")])
        expectProblem(yield* call(`${exportPath}/batches/${batch.id}/meta?path=row_errors/nothing.json`), 404, /no meta file/)
      }))

    it.effect("lists nothing for a clean batch, or before processing has finished", () =>
      Effect.gen(function*() {
        const clean = yield* ingest({ inputFormat: { format: "json" } }, { "good.json": good })
        assert.strictEqual(clean.status, "success")
        const empty = { data: [], _page: { limit: 100, count: 0 } }
        assert.deepStrictEqual(yield* listing(`${exportPath}/batches/${clean.id}/failed`), empty)
        assert.deepStrictEqual(yield* listing(`${exportPath}/batches/${clean.id}/meta`), empty)
        assert.deepStrictEqual(yield* listing(`${exportPath}/batches/${clean.id}/meta?path=row_errors`), empty)

        const pending = yield* createBatch({ inputFormat: { format: "json" } })
        expectEmpty(yield* putFile(pending.id, "bad.json", bad), 201)
        expectEmpty(yield* signal(pending.id, "COMPLETE"), 200)
        assert.deepStrictEqual(yield* listing(`${exportPath}/batches/${pending.id}/failed`), empty)
        assert.deepStrictEqual(yield* listing(`${exportPath}/batches/${pending.id}/meta?path=row_errors`), empty)
      }))

    it.effect("lists a file refused as a whole (not Parquet) without row errors", () =>
      Effect.gen(function*() {
        const batch = yield* ingest({}, { "ok.parquet": parquet(3), "broken.parquet": "PAR1 but no footer" })
        assert.strictEqual(batch.status, "failed")
        const failed = yield* listing(`${exportPath}/batches/${batch.id}/failed`)
        assert.sameMembers(failed.data.map((entry) => entry.name), ["ok.parquet", "broken.parquet"])
        assert.deepStrictEqual((yield* listing(`${exportPath}/batches/${batch.id}/meta?path=row_errors`)).data, [])
      }))

    it.effect("answers 404 for an unknown batch, and the gateway's errors without credentials", () =>
      Effect.gen(function*() {
        const unknown = "0".repeat(32)
        expectProblem(yield* call(`${exportPath}/batches/${unknown}/failed`), 404, /not found/)
        expectProblem(yield* call(`${exportPath}/batches/${unknown}/meta?path=row_errors`), 404, /not found/)
        const { "x-api-key": _, ...keyless } = headers
        const answer = yield* call(`${exportPath}/batches/${unknown}/failed`, { headers: keyless })
        assert.strictEqual(expectJson(answer, 403, Schemas.GatewayError).error_code, "403000")
      }))
  })

  it.layer(Emulator.layer({ processingDelayMillis: 10, retainFiles: false }))((it) => {
    it.effect("without retained files, still lists failed files and row errors but cannot download the files", () =>
      Effect.gen(function*() {
        const batch = yield* ingest({ inputFormat: { format: "json" } }, { "bad.json": bad })
        const failed = yield* listing(`${exportPath}/batches/${batch.id}/failed`)
        assert.deepStrictEqual(failed.data.map((entry) => [entry.name, entry.length]), [["bad.json", String(utf8(bad).length)]])
        expectProblem(yield* follow(failed.data[0]!._links.self.href), 404, /without keeping file contents/)
        const rowErrors = yield* listing(`${exportPath}/batches/${batch.id}/meta?path=row_errors`)
        const lines = (yield* follow(rowErrors.data[0]!._links.self.href)).text.trim().split("\n")
        assert.strictEqual(lines.length, 2)
      }))
  })
})
