/**
 * Shows an upload or ingest as it happens, from its `Ingest.Event`s, in one of three ways:
 *
 * - `bars`, on a terminal: a bar per file and one overall, with bytes, rate and ETA, redrawn in
 *   place at most ten times a second; other events are printed above them;
 * - `lines`, for CI logs and pipes: one line per event, a file's progress at each tenth;
 * - `json`, for scripts: one JSON object per line, progress thinned out the same way.
 *
 * @since 0.1.0
 */
import type * as Ingest from "@effect-aep/core/Ingest"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as Scope from "effect/Scope"
import * as BatchView from "./BatchView.js"
import type * as Output from "./Output.js"
import * as Table from "./Table.js"

/**
 * @since 0.1.0
 * @category models
 */
export type Mode = "bars" | "lines" | "json"

/**
 * A file to show, known before its upload starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface File {
  readonly path: string
  readonly size: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  readonly onEvent: (event: Ingest.Event) => Effect.Effect<void>
  /** Draws the bars a last time and gives the terminal back (also done when the scope closes). */
  readonly done: Effect.Effect<void>
}

interface FileState {
  readonly path: string
  readonly size: number
  sent: number
  startedAt: number | undefined
  finishedAt: number | undefined
  /** The last tenth reported in `lines` and `json` modes. */
  reported: number
}

/** File bars shown at once; beyond, the files being sent are shown and the rest counted. */
const maxFileRows = 10
const redrawEveryMillis = 100

const ESC = "\u001b["

const bar = (fraction: number, cells: number): string => {
  const full = Math.max(0, Math.min(cells, Math.round(fraction * cells)))
  return "█".repeat(full) + "░".repeat(cells - full)
}

const percent = (sent: number, size: number): number => (size === 0 ? 100 : Math.floor((sent / size) * 100))

// Whole seconds: an ETA in milliseconds would flicker.
const etaText = (millis: number): string => (millis < 1000 ? "<1s" : Table.duration(Math.round(millis / 1000) * 1000))

const fitName = (name: string, width: number): string =>
  name.length <= width ? name.padEnd(width) : `…${name.slice(name.length - width + 1)}`

/**
 * The one-line description of an event in `lines` mode (`FileProgress` excluded: see `make`).
 *
 * @since 0.1.0
 * @category formatting
 */
export const describe = (event: Ingest.Event): string | undefined => {
  switch (event._tag) {
    case "BatchCreated":
      return `batch ${event.batch.id} created in dataset ${event.batch.datasetId ?? "?"}: ${event.totalFiles} file(s), ${
        Table.bytes(event.totalBytes)
      }`
    case "FileStarted":
      return `uploading ${event.path} (${Table.bytes(event.size)})`
    case "FileProgress":
      return `  ${event.path}: ${percent(event.bytesSent, event.size)}% (${Table.bytes(event.bytesSent)} of ${
        Table.bytes(event.size)
      }); all files ${percent(event.totalBytesSent, event.totalBytes)}%`
    case "FileUploaded":
      return `uploaded ${event.uploaded.path} (${Table.bytes(event.uploaded.size)}${
        event.uploaded.method === "chunked" ? `, ${event.uploaded.chunks} chunks` : ""
      }) [${event.filesDone}/${event.totalFiles} files]`
    case "BatchCompleted":
      return `completed batch ${event.batchId}: AEP is processing it`
    case "StatusChanged":
      return `status: ${event.batch.status}`
    case "BatchAborted":
      return `aborted batch ${event.batchId}: nothing was ingested`
    case "Finished":
      return undefined
  }
}

/**
 * An event as one JSON object (`event` names it), for `--json`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const toJson = (event: Ingest.Event): Record<string, unknown> => {
  switch (event._tag) {
    case "BatchCreated":
      return { event: event._tag, batchId: event.batch.id, totalFiles: event.totalFiles, totalBytes: event.totalBytes }
    case "FileStarted":
      return { event: event._tag, path: event.path, size: event.size }
    case "FileProgress":
      return {
        event: event._tag,
        path: event.path,
        bytesSent: event.bytesSent,
        size: event.size,
        totalBytesSent: event.totalBytesSent,
        totalBytes: event.totalBytes
      }
    case "FileUploaded":
      return {
        event: event._tag,
        path: event.uploaded.path,
        size: event.uploaded.size,
        method: event.uploaded.method,
        chunks: event.uploaded.chunks,
        filesDone: event.filesDone,
        totalFiles: event.totalFiles
      }
    case "BatchCompleted":
    case "BatchAborted":
      return { event: event._tag, batchId: event.batchId }
    case "StatusChanged":
      return { event: event._tag, batchId: event.batch.id, status: event.batch.status }
    case "Finished":
      return { event: event._tag, batch: BatchView.toJson(event.batch) }
  }
}

/**
 * A progress display for `files`, writing to `stream`. Closing the scope draws the last state and
 * shows the cursor again, however the upload ended.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (
  mode: Mode,
  stream: Output.Stream,
  files: ReadonlyArray<File>
): Effect.Effect<Progress, never, Scope.Scope> =>
  Effect.gen(function*() {
    const states = new Map<string, FileState>(
      files.map((file) => [file.path, { ...file, sent: 0, startedAt: undefined, finishedAt: undefined, reported: -1 }])
    )
    const totalBytes = files.reduce((sum, file) => sum + file.size, 0)
    let startedAt: number | undefined
    let drawnLines = 0
    let lastDraw = 0
    // Once the uploads are over the bars stay as they are and later events print below them.
    let frozen = mode !== "bars"
    let cursorHidden = false

    const line = (text: string) => stream.write(`${text}\n`)

    const renderBars = (now: number): Array<string> => {
      const columns = stream.columns()
      const all = [...states.values()]
      const nameWidth = Math.min(28, Math.max(5, ...all.map((file) => file.path.length)))
      const cells = Math.max(10, Math.min(30, columns - nameWidth - 56))
      const row = (name: string, sent: number, size: number, since: number | undefined, finished: number | undefined) => {
        const elapsed = ((finished ?? now) - (since ?? now)) / 1000
        const speed = elapsed > 0 ? sent / elapsed : Number.NaN
        const left = size - sent
        const eta = left === 0 ? "done" : Number.isFinite(speed) && speed > 0 ? etaText((left / speed) * 1000) : "--"
        const text = `${fitName(name, nameWidth)} ${bar(size === 0 ? 1 : sent / size, cells)} ${
          String(percent(sent, size)).padStart(3)
        }%  ${Table.bytes(sent)}/${Table.bytes(size)}  ${since === undefined ? "-" : Table.rate(speed)}  ETA ${eta}`
        return text.length > columns ? text.slice(0, columns) : text
      }
      const active = all.filter((file) => file.startedAt !== undefined && file.finishedAt === undefined)
      const shown = all.length <= maxFileRows ? all : active.slice(0, maxFileRows)
      const lines = shown.map((file) => row(file.path, file.sent, file.size, file.startedAt, file.finishedAt))
      if (shown.length < all.length) {
        const doneCount = all.filter((file) => file.finishedAt !== undefined).length
        lines.push(`… ${doneCount} file(s) done, ${all.length - doneCount - active.length} waiting`)
      }
      const sent = all.reduce((sum, file) => sum + file.sent, 0)
      const finished = all.every((file) => file.finishedAt !== undefined)
        ? Math.max(...all.map((file) => file.finishedAt ?? 0))
        : undefined
      const doneFiles = all.filter((file) => file.finishedAt !== undefined).length
      lines.push(`${row("total", sent, totalBytes, startedAt, finished)}  (${doneFiles}/${all.length} files)`)
      return lines
    }

    const clearBars = () => (drawnLines === 0 ? "" : `${ESC}${drawnLines}A\r${ESC}J`)

    const draw = (force: boolean) =>
      Effect.gen(function*() {
        if (frozen) return
        const now = yield* Clock.currentTimeMillis
        if (!force && now - lastDraw < redrawEveryMillis) return
        lastDraw = now
        const lines = renderBars(now)
        const hide = cursorHidden ? "" : `${ESC}?25l`
        cursorHidden = true
        yield* stream.write(`${hide}${clearBars()}${lines.join("\n")}\n`)
        drawnLines = lines.length
      })

    const freeze = Effect.gen(function*() {
      if (frozen) return
      yield* draw(true)
      frozen = true
      drawnLines = 0
      if (cursorHidden) yield* stream.write(`${ESC}?25h`)
      cursorHidden = false
    })

    // A message while bars are shown goes above them; the bars are drawn again below it.
    const message = (text: string) =>
      frozen
        ? line(text)
        : Effect.gen(function*() {
          yield* stream.write(`${clearBars()}${text}\n`)
          drawnLines = 0
          yield* draw(true)
        })

    const track = (event: Ingest.Event, now: number) => {
      switch (event._tag) {
        case "FileStarted": {
          startedAt ??= now
          const state = states.get(event.path)
          if (state !== undefined) state.startedAt = now
          return
        }
        case "FileProgress": {
          const state = states.get(event.path)
          if (state !== undefined) state.sent = event.bytesSent
          return
        }
        case "FileUploaded": {
          const state = states.get(event.uploaded.path)
          if (state !== undefined) {
            state.sent = state.size
            state.finishedAt = now
          }
          return
        }
        default:
          return
      }
    }

    // `lines` and `json` report a file's progress when it reaches a new tenth.
    const newTenth = (event: Extract<Ingest.Event, { _tag: "FileProgress" }>): boolean => {
      const state = states.get(event.path)
      const tenth = Math.floor(percent(event.bytesSent, event.size) / 10)
      if (state === undefined || tenth <= state.reported) return false
      state.reported = tenth
      return true
    }

    const onEvent = (event: Ingest.Event): Effect.Effect<void> =>
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        track(event, now)
        switch (mode) {
          case "json": {
            if (event._tag === "FileProgress" && !newTenth(event)) return
            return yield* line(JSON.stringify(toJson(event)))
          }
          case "lines": {
            if (event._tag === "FileProgress" && !newTenth(event)) return
            const text = describe(event)
            return text === undefined ? undefined : yield* line(text)
          }
          case "bars": {
            switch (event._tag) {
              case "FileStarted":
                return yield* draw(true)
              case "FileProgress":
                return yield* draw(false)
              case "FileUploaded":
                return yield* ([...states.values()].every((file) => file.finishedAt !== undefined) ? freeze : draw(true))
              case "BatchCompleted":
              case "BatchAborted":
                yield* freeze
                return yield* line(describe(event) ?? "")
              case "Finished":
                return yield* freeze
              default: {
                const text = describe(event)
                return text === undefined ? undefined : yield* message(text)
              }
            }
          }
        }
      })

    yield* Effect.addFinalizer(() => freeze)
    return { onEvent, done: freeze }
  })
