/**
 * `--trace`: the spans a command produced, as an indented tree with durations and attributes,
 * printed to standard error when it ends. The spans are recorded by a tracer that wraps the one
 * in force, so an OpenTelemetry exporter configured around `aep` still receives them.
 *
 * Header attributes, stack traces and the parts of `url.full` are left out (noise); any value that contains one of the
 * configured secrets is shown as `<redacted>`, although the library never puts them there.
 *
 * @since 0.1.0
 */
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"
import * as Table from "./Table.js"

/**
 * A tracer that keeps every span it starts, and the spans so far.
 *
 * @since 0.1.0
 * @category models
 */
export interface Recorder {
  readonly tracer: Tracer.Tracer
  readonly spans: () => ReadonlyArray<Tracer.Span>
}

/**
 * Records the spans that `inner` starts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const record = (inner: Tracer.Tracer): Recorder => {
  const spans: Array<Tracer.Span> = []
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const span = inner.span(name, parent, context, links, startTime, kind, options)
      spans.push(span)
      return span
    },
    context: (f, fiber) => inner.context(f, fiber)
  })
  return { tracer, spans: () => spans }
}

/**
 * Runs `effect` with its spans recorded and hands them to `onSpans` when it ends, whatever the
 * outcome.
 *
 * @since 0.1.0
 * @category combinators
 */
export const recording = <A, E, R, R2>(
  effect: Effect.Effect<A, E, R>,
  onSpans: (spans: ReadonlyArray<Tracer.Span>) => Effect.Effect<void, never, R2>
): Effect.Effect<A, E, R | R2> =>
  Effect.flatMap(Effect.tracer, (inner) => {
    const recorder = record(inner)
    return effect.pipe(Effect.withTracer(recorder.tracer), Effect.ensuring(Effect.suspend(() => onSpans(recorder.spans()))))
  })

// url.full says all that these say.
const redundant: ReadonlySet<string> = new Set(["url.path", "url.scheme", "url.query", "server.address", "server.port", "code.stacktrace"])

const hidden = (key: string): boolean =>
  key.startsWith("http.request.header.") || key.startsWith("http.response.header.") || redundant.has(key)

const show = (value: unknown, secrets: ReadonlyArray<string>): string => {
  const text = typeof value === "string" ? value : typeof value === "bigint" ? String(value) : JSON.stringify(value) ?? String(value)
  if (secrets.some((secret) => text.includes(secret))) return "<redacted>"
  return /[\s"]/.test(text) ? JSON.stringify(text) : text
}

/**
 * The attributes of a span as they are shown (secrets replaced, noise left out).
 *
 * @since 0.1.0
 * @category formatting
 */
export const attributes = (span: Tracer.Span, secrets: ReadonlyArray<string>): ReadonlyArray<readonly [string, string]> =>
  [...span.attributes].filter(([key]) => !hidden(key)).map(([key, value]) => [key, show(value, secrets)] as const)

const outcome = (span: Tracer.Span): string => {
  if (span.status._tag === "Started") return " (still running)"
  const exit = span.status.exit
  if (Exit.isSuccess(exit)) return ""
  if (Cause.isInterruptedOnly(exit.cause)) return " (interrupted)"
  const failure = Cause.failureOption(exit.cause)
  const tag = Option.isSome(failure) && typeof failure.value === "object" && failure.value !== null && "_tag" in failure.value
    ? String(failure.value._tag)
    : "defect"
  return ` (failed: ${tag})`
}

const millis = (span: Tracer.Span): number =>
  span.status._tag === "Ended" ? Number(span.status.endTime - span.status.startTime) / 1_000_000 : Number.NaN

/**
 * The spans as a tree, children under their parent in start order: `name  duration  key=value …`.
 * Secrets (values that must never be shown) are masked wherever they occur in a value.
 *
 * @since 0.1.0
 * @category formatting
 */
export const render = (spans: ReadonlyArray<Tracer.Span>, secrets: ReadonlyArray<string> = []): string => {
  const usable = secrets.filter((secret) => secret.length >= 4)
  const ids = new Set(spans.map((span) => span.spanId))
  const children = new Map<string | undefined, Array<Tracer.Span>>()
  for (const span of spans) {
    const parent = Option.getOrUndefined(span.parent)
    const key = parent !== undefined && ids.has(parent.spanId) ? parent.spanId : undefined
    const siblings = children.get(key) ?? []
    siblings.push(span)
    children.set(key, siblings)
  }
  const rows: Array<readonly [string, string, string]> = []
  const visit = (parent: string | undefined, depth: number) => {
    const siblings = [...(children.get(parent) ?? [])].sort((a, b) =>
      a.status.startTime < b.status.startTime ? -1 : a.status.startTime > b.status.startTime ? 1 : 0
    )
    for (const span of siblings) {
      const attrs = attributes(span, usable).map(([key, value]) => `${key}=${value}`).join(" ")
      rows.push([`${"  ".repeat(depth)}${span.name}${outcome(span)}`, Table.duration(millis(span)), attrs])
      visit(span.spanId, depth + 1)
    }
  }
  visit(undefined, 0)
  if (rows.length === 0) return "trace: no spans"
  const nameWidth = Math.max(...rows.map(([name]) => name.length))
  const durationWidth = Math.max(...rows.map(([, duration]) => duration.length))
  return [
    `trace: ${rows.length} span(s)`,
    ...rows.map(([name, duration, attrs]) => `  ${name.padEnd(nameWidth)}  ${duration.padStart(durationWidth)}  ${attrs}`.trimEnd())
  ].join("\n")
}
