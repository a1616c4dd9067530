/**
 * Uploading a batch's files: one `PUT` for a small file, or INITIALIZE → `PATCH` chunks with
 * `Content-Range` → COMPLETE for a large one, with `HEAD` answering the ranges received so far.
 *
 * Bytes are validated as they arrive (see `Processing`) and kept only when the emulator retains
 * files, so an upload of any size costs the emulator little memory.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import type * as EmulatorState from "./EmulatorState.js"
import type { Caller } from "./Gateway.js"
import * as Processing from "./Processing.js"
import { type Refusal, serviceError } from "./Refusal.js"

/**
 * Splits the `{filePath}` part of a URL into a file name, decoding each segment and refusing
 * the segments a URL parser would resolve away (`.`, `..`, also when percent-encoded) and empty
 * ones. Directories (`part=a/file.json`) are kept.
 *
 * @since 0.1.0
 * @category paths
 */
export const parseFilePath = (raw: string): string | Refusal => {
  if (raw === "") return serviceError(400, "The file path is empty")
  const segments: Array<string> = []
  for (const encoded of raw.split("/")) {
    let segment: string
    try {
      segment = decodeURIComponent(encoded)
    } catch {
      return serviceError(400, `The file path segment '${encoded}' is not valid percent-encoding`)
    }
    if (segment === "" || segment === "." || segment === ".." || segment.includes("/")) {
      return serviceError(400, `The file path '${raw}' has an empty, '.', '..' or encoded '/' segment`)
    }
    segments.push(segment)
  }
  return segments.join("/")
}

/**
 * The batch a file request is about, checked: it exists, belongs to the dataset in the URL and
 * still accepts files.
 *
 * @since 0.1.0
 * @category handlers
 */
export const loadingBatch = (
  state: EmulatorState.EmulatorState,
  caller: Caller,
  batchId: string,
  datasetId: string
): Effect.Effect<EmulatorState.BatchEntry, Refusal> =>
  Effect.gen(function*() {
    const entry = state.entry(caller.sandboxName, batchId)
    if (entry === undefined) return yield* serviceError(404, `Batch ${batchId} was not found`)
    if (state.dataset(caller.sandboxName, datasetId) === undefined) {
      return yield* serviceError(404, `Dataset ${datasetId} was not found`)
    }
    if (entry.datasetId !== datasetId) {
      return yield* serviceError(400, `Batch ${batchId} belongs to dataset ${entry.datasetId}, not ${datasetId}`)
    }
    if (entry.record.status !== "loading") {
      return yield* serviceError(400, `Batch ${batchId} is ${entry.record.status}: files can only be added while it is loading`)
    }
    return entry
  })

const octetStream = (contentType: string | undefined): boolean =>
  contentType !== undefined && /^application\/octet-stream\b/i.test(contentType)

const batchBytes = (entry: EmulatorState.BatchEntry, except?: string): number => {
  let total = 0
  for (const file of entry.files.values()) {
    if (file.name !== except) total += file.ranges.reduce((sum, [start, end]) => sum + end - start + 1, 0)
  }
  return total
}

const newFile = (
  state: EmulatorState.EmulatorState,
  entry: EmulatorState.BatchEntry,
  name: string,
  large: boolean
): EmulatorState.FileEntry => ({
  name,
  large,
  ranges: [],
  pending: new Map(),
  fed: 0,
  overlap: false,
  complete: false,
  processor: Processing.makeFileProcessor(name, Processing.readInputFormat(entry.record.inputFormat)),
  result: undefined,
  retained: state.retainFiles ? [] : undefined
})

const checkFileCount = (state: EmulatorState.EmulatorState, entry: EmulatorState.BatchEntry, name: string) =>
  !entry.files.has(name) && entry.files.size >= state.limits.filesPerBatch
    ? Effect.fail(serviceError(400, `A batch holds at most ${state.limits.filesPerBatch} files`))
    : Effect.void

const feed = (file: EmulatorState.FileEntry, bytes: Uint8Array): void => {
  file.processor.push(bytes)
  file.retained?.push(bytes)
  file.fed += bytes.length
}

/**
 * `PUT …/files/{filePath}`: the whole file in one body. Replaces a file of the same name only
 * once the new one has arrived whole. Answers 201 (created) or 200 (replaced).
 *
 * @since 0.1.0
 * @category handlers
 */
export const putFile = <E>(
  state: EmulatorState.EmulatorState,
  entry: EmulatorState.BatchEntry,
  name: string,
  contentType: string | undefined,
  body: Stream.Stream<Uint8Array, E>
): Effect.Effect<{ readonly status: 200 | 201; readonly size: number }, Refusal> =>
  Effect.gen(function*() {
    if (!octetStream(contentType)) {
      return yield* serviceError(415, "Files must be sent as application/octet-stream")
    }
    yield* checkFileCount(state, entry, name)
    const file = newFile(state, entry, name, false)
    const budget = Math.min(state.limits.smallFileBytes, state.limits.batchBytes - batchBytes(entry, name))
    let refusal: Refusal | undefined
    // Once refused, the rest of the body is read and dropped: stopping early would close the
    // connection before the client sees the answer.
    yield* Stream.runForEach(body, (chunk) =>
      Effect.sync(() => {
        if (refusal !== undefined) return
        if (file.fed + chunk.length <= budget) return feed(file, chunk)
        refusal = file.fed + chunk.length > state.limits.smallFileBytes
          ? serviceError(
            413,
            `A single PUT takes at most ${state.limits.smallFileBytes} bytes: use the large-file upload (INITIALIZE, PATCH, COMPLETE)`
          )
          : serviceError(400, `A batch holds at most ${state.limits.batchBytes} bytes`)
      })).pipe(Effect.mapError(() => serviceError(400, "The request body could not be read")))
    if (refusal !== undefined) return yield* refusal
    if (file.fed > 0) file.ranges.push([0, file.fed - 1])
    file.result = file.processor.finish()
    file.complete = true
    const replaced = entry.files.has(name)
    entry.files.set(name, file)
    return { status: replaced ? 200 : 201, size: file.fed }
  })

/**
 * `POST …/files/{filePath}?action=INITIALIZE`: starts a large file (again, if it existed).
 *
 * @since 0.1.0
 * @category handlers
 */
export const initialize = (
  state: EmulatorState.EmulatorState,
  entry: EmulatorState.BatchEntry,
  name: string
): Effect.Effect<void, Refusal> =>
  Effect.gen(function*() {
    yield* checkFileCount(state, entry, name)
    entry.files.set(name, newFile(state, entry, name, true))
  })

/**
 * A `Content-Range: bytes {start}-{end}` header (end inclusive; a `/total` suffix is allowed).
 *
 * @since 0.1.0
 * @category handlers
 */
export const parseContentRange = (header: string | undefined): readonly [number, number] | undefined => {
  const match = header?.trim().match(/^bytes[ =](\d+)-(\d+)(\/(\d+|\*))?$/)
  if (match === undefined || match === null) return undefined
  const start = Number(match[1])
  const end = Number(match[2])
  return Number.isSafeInteger(start) && Number.isSafeInteger(end) && end >= start ? [start, end] : undefined
}

const largeFile = (entry: EmulatorState.BatchEntry, name: string): Effect.Effect<EmulatorState.FileEntry, Refusal> => {
  const file = entry.files.get(name)
  if (file === undefined || !file.large) {
    return Effect.fail(serviceError(400, `File ${name} was not initialized: send ?action=INITIALIZE first`))
  }
  if (file.complete) return Effect.fail(serviceError(400, `File ${name} is already complete`))
  return Effect.succeed(file)
}

/**
 * `PATCH …/files/{filePath}` with `Content-Range`: one chunk of a large file, in any order. A
 * chunk that overlaps bytes already received is remembered and refused at COMPLETE; resending
 * the very same range is accepted (a retried request).
 *
 * @since 0.1.0
 * @category handlers
 */
export const patchChunk = (
  state: EmulatorState.EmulatorState,
  entry: EmulatorState.BatchEntry,
  name: string,
  contentType: string | undefined,
  contentRange: string | undefined,
  bytes: Uint8Array
): Effect.Effect<{ readonly name: string; readonly sizeInBytes: number }, Refusal> =>
  Effect.gen(function*() {
    if (!octetStream(contentType)) {
      return yield* serviceError(415, "Chunks must be sent as application/octet-stream")
    }
    const range = parseContentRange(contentRange)
    if (range === undefined) {
      return yield* serviceError(400, "A valid Content-Range header (bytes start-end) must be specified")
    }
    const [start, end] = range
    if (bytes.length !== end - start + 1) {
      return yield* serviceError(400, `Content-Range ${start}-${end} announces ${end - start + 1} bytes, the body has ${bytes.length}`)
    }
    const file = yield* largeFile(entry, name)
    if (batchBytes(entry) + bytes.length > state.limits.batchBytes) {
      return yield* serviceError(400, `A batch holds at most ${state.limits.batchBytes} bytes`)
    }
    if (file.ranges.some(([s, e]) => s === start && e === end)) return { name, sizeInBytes: bytes.length }
    if (file.ranges.some(([s, e]) => start <= e && s <= end)) {
      file.overlap = true
      file.ranges.push([start, end])
      return { name, sizeInBytes: bytes.length }
    }
    file.ranges.push([start, end])
    if (start === file.fed) {
      feed(file, bytes)
      let next = file.pending.get(file.fed)
      while (next !== undefined) {
        file.pending.delete(file.fed)
        feed(file, next)
        next = file.pending.get(file.fed)
      }
    } else {
      file.pending.set(start, bytes)
    }
    return { name, sizeInBytes: bytes.length }
  })

/**
 * The received ranges of a file, merged, as the `Range` header value `bytes=0-99,200-299`.
 *
 * @since 0.1.0
 * @category handlers
 */
export const receivedRanges = (file: EmulatorState.FileEntry): string => {
  const sorted = [...file.ranges].sort((a, b) => a[0] - b[0])
  const merged: Array<[number, number]> = []
  for (const [start, end] of sorted) {
    const last = merged[merged.length - 1]
    if (last !== undefined && start <= last[1] + 1) last[1] = Math.max(last[1], end)
    else merged.push([start, end])
  }
  return `bytes=${merged.map(([start, end]) => `${start}-${end}`).join(",")}`
}

/**
 * `POST …/files/{filePath}?action=COMPLETE`: the large file is whole. Refused when chunks
 * overlapped or bytes are missing.
 *
 * @since 0.1.0
 * @category handlers
 */
export const completeFile = (
  entry: EmulatorState.BatchEntry,
  name: string
): Effect.Effect<{ readonly name: string; readonly sizeInBytes: number }, Refusal> =>
  Effect.gen(function*() {
    const file = entry.files.get(name)
    if (file?.large === true && file.complete) return { name, sizeInBytes: file.fed }
    const open = yield* largeFile(entry, name)
    if (open.overlap) return yield* serviceError(400, `File ${name} received overlapping chunks`)
    if (open.pending.size > 0) {
      const firstPending = Math.min(...open.pending.keys())
      return yield* serviceError(400, `File ${name} is missing bytes ${open.fed}-${firstPending - 1}`)
    }
    open.result = open.processor.finish()
    open.complete = true
    return { name, sizeInBytes: open.fed }
  })
