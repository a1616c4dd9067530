/**
 * The Data Access API (`/data/foundation/export`), for diagnosing a batch: the files that failed
 * and the row-error lines.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as BatchLifecycle from "./BatchLifecycle.js"
import type * as EmulatorState from "./EmulatorState.js"
import type { Caller } from "./Gateway.js"
import { type Refusal, serviceError } from "./Refusal.js"

/**
 * What a Data Access call answers: a listing, or a file's bytes.
 *
 * @since 0.1.0
 * @category models
 */
export type Answer =
  | { readonly _tag: "Listing"; readonly body: Record<string, unknown> }
  | { readonly _tag: "File"; readonly contentType: string; readonly bytes: Uint8Array }

const listing = (base: string, items: ReadonlyArray<{ name: string; length: number; href: string }>): Answer => ({
  _tag: "Listing",
  body: {
    data: items.map((item) => ({ name: item.name, length: String(item.length), _links: { self: { href: `${base}${item.href}` } } })),
    _page: { limit: 100, count: items.length }
  }
})

const entryOf = (state: EmulatorState.EmulatorState, caller: Caller, batchId: string) =>
  Effect.gen(function*() {
    const entry = state.entry(caller.sandboxName, batchId)
    if (entry === undefined) return yield* serviceError(404, `Batch ${batchId} was not found`)
    BatchLifecycle.advance(state, entry, yield* Clock.currentTimeMillis)
    return entry
  })

const concat = (chunks: ReadonlyArray<Uint8Array>): Uint8Array => {
  const bytes = new Uint8Array(chunks.reduce((sum, chunk) => sum + chunk.length, 0))
  let offset = 0
  for (const chunk of chunks) {
    bytes.set(chunk, offset)
    offset += chunk.length
  }
  return bytes
}

/**
 * `GET /batches/{id}/failed`: the files of a failed batch (or, after partial ingestion, the
 * files that held failed rows); `?path=NAME` downloads one.
 *
 * @since 0.1.0
 * @category handlers
 */
export const failed = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  batchId: string,
  path: string | null,
  base: string
): Effect.Effect<Answer, Refusal> =>
  Effect.gen(function*() {
    const entry = yield* entryOf(state, caller, batchId)
    const files = entry.failedFiles.flatMap((name) => {
      const file = entry.files.get(name)
      return file === undefined ? [] : [file]
    })
    if (path === null) {
      return listing(
        base,
        files.map((file) => ({
          name: file.name,
          length: file.fed,
          href: `/data/foundation/export/batches/${batchId}/failed?path=${encodeURIComponent(file.name)}`
        }))
      )
    }
    const file = files.find((candidate) => candidate.name === path)
    if (file === undefined) return yield* serviceError(404, `Batch ${batchId} has no failed file ${path}`)
    if (file.retained === undefined) {
      return yield* serviceError(404, `The emulator was started without keeping file contents, so ${path} cannot be downloaded`)
    }
    return { _tag: "File", contentType: "application/octet-stream", bytes: concat(file.retained) }
  })

const rowErrorFile = (name: string) => `row_errors/${name.replaceAll("/", "_")}.json`

/**
 * `GET /batches/{id}/meta`: `?path=row_errors` lists one row-error file per input file that had
 * failed rows; `?path=row_errors/NAME` downloads its lines, each
 * `{"_corrupt_record": …, "_errors": [{"code": "1401", "message": …}], "_filename": …}`.
 * Without `path`, the meta directory's entries.
 *
 * @since 0.1.0
 * @category handlers
 */
export const meta = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  batchId: string,
  path: string | null,
  base: string
): Effect.Effect<Answer, Refusal> =>
  Effect.gen(function*() {
    const entry = yield* entryOf(state, caller, batchId)
    const byFile = new Map<string, Array<unknown>>()
    for (const line of entry.rowErrors) {
      const name = rowErrorFile(line._filename)
      byFile.set(name, [...byFile.get(name) ?? [], line])
    }
    const encoder = new TextEncoder()
    const render = (lines: ReadonlyArray<unknown>) => encoder.encode(lines.map((line) => JSON.stringify(line)).join("\n") + "\n")
    const href = (name: string) => `/data/foundation/export/batches/${batchId}/meta?path=${encodeURIComponent(name)}`
    if (path === null) {
      return listing(base, byFile.size === 0 ? [] : [{ name: "row_errors", length: 0, href: href("row_errors") }])
    }
    if (path === "row_errors") {
      return listing(
        base,
        [...byFile].map(([name, lines]) => ({ name, length: render(lines).length, href: href(name) }))
      )
    }
    const lines = byFile.get(path)
    if (lines === undefined) return yield* serviceError(404, `Batch ${batchId} has no meta file ${path}`)
    return { _tag: "File", contentType: "application/json", bytes: render(lines) }
  })
