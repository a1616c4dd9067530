/**
 * Where `aep` writes: standard output for results (tables, JSON) and standard error for progress
 * notes, warnings, errors and trace summaries, so that `aep … --json | jq` sees only JSON. Whether
 * standard output is a terminal decides between progress bars and plain lines.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"

/**
 * One output stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Stream {
  /** Writes `text` as it is (no newline added). */
  readonly write: (text: string) => Effect.Effect<void>
  /** A terminal: progress bars are drawn, colours used (unless `NO_COLOR` is set). */
  readonly isTTY: boolean
  /** Whether ANSI colours and styles may be written. */
  readonly color: boolean
  /** The terminal's width in columns (80 when not a terminal). */
  readonly columns: () => number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Output {
  readonly stdout: Stream
  readonly stderr: Stream
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Output: Context.Tag<Output, Output> = Context.GenericTag<Output>("@effect-aep/cli/Output")

const nodeStream = (stream: NodeJS.WriteStream, noColor: boolean): Stream => ({
  write: (text) => Effect.sync(() => void stream.write(text)),
  isTTY: stream.isTTY === true,
  color: stream.isTTY === true && !noColor,
  columns: () => (stream.isTTY === true && stream.columns > 0 ? stream.columns : 80)
})

/**
 * The process's own standard output and error. Colours follow the `NO_COLOR` convention.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerNode: Layer.Layer<Output> = Layer.sync(Output, () => {
  const noColor = (process.env["NO_COLOR"] ?? "") !== ""
  return { stdout: nodeStream(process.stdout, noColor), stderr: nodeStream(process.stderr, noColor) }
})

/**
 * What a captured run wrote.
 *
 * @since 0.1.0
 * @category models
 */
export interface Captured {
  readonly stdoutText: () => string
  readonly stderrText: () => string
}

/**
 * Output kept in memory (not a terminal), for running commands inside a test.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCapture = (): Output & Captured => {
  const out: Array<string> = []
  const err: Array<string> = []
  const stream = (into: Array<string>): Stream => ({
    write: (text) => Effect.sync(() => void into.push(text)),
    isTTY: false,
    color: false,
    columns: () => 80
  })
  return { stdout: stream(out), stderr: stream(err), stdoutText: () => out.join(""), stderrText: () => err.join("") }
}

/**
 * Writes a line to standard output.
 *
 * @since 0.1.0
 * @category writing
 */
export const line = (text: string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (output) => output.stdout.write(`${text}\n`))

/**
 * Writes a line to standard error.
 *
 * @since 0.1.0
 * @category writing
 */
export const errorLine = (text: string): Effect.Effect<void, never, Output> =>
  Effect.flatMap(Output, (output) => output.stderr.write(`${text}\n`))

/**
 * Removes ANSI escape sequences (colours, cursor movement).
 *
 * @since 0.1.0
 * @category formatting
 */
export const stripAnsi = (text: string): string =>
  // eslint-disable-next-line no-control-regex
  text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, "")
