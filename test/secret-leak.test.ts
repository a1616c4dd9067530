/**
 * The client secret and every token IMS issued must never show up where people and pipelines
 * look: logs (at every level), spans (names, attributes, events, outcomes), error messages,
 * `String(error)`, JSON, `Cause.pretty`, Node's inspection. Success and failure paths are run
 * against the emulator with everything captured, and the captures are searched for the values.
 */
import { Batches, RetryPolicy } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Exit, FiberRefs, HashMap, Inspectable, List, Logger, LogLevel, Option, Tracer } from "effect"
import { createServer } from "node:net"
import { inspect } from "node:util"

const clientId = "leakcheck-client"
const clientSecret = "LEAKCHECK-s3cr3t-9f2c7a41e8"

/** Everything captured while the client ran. */
interface Capture {
  readonly logs: Array<string>
  readonly spans: Array<Tracer.Span>
  readonly errors: Array<{ readonly error: unknown; readonly cause: Cause.Cause<unknown> }>
}

const render = (value: unknown): string => {
  if (typeof value === "string") return value
  try {
    return `${String(value)} ${JSON.stringify(value)} ${inspect(value, { depth: 8 })}`
  } catch {
    return inspect(value, { depth: 8 })
  }
}

/** A logger that keeps every entry, everything it was given rendered. */
const captureLogger = (logs: Array<string>) =>
  Logger.make(({ annotations, cause, date, logLevel, message, spans }) => {
    logs.push(
      [
        logLevel.label,
        date.toISOString(),
        ...(Array.isArray(message) ? message : [message]).map(render),
        Cause.isEmpty(cause) ? "" : Cause.pretty(cause),
        render(Object.fromEntries(HashMap.toEntries(annotations))),
        List.toArray(spans).map((span) => span.label).join(",")
      ].join(" | ")
    )
  })

/** A tracer that keeps every span it creates (the native spans record attributes and events). */
const captureTracer = (spans: Array<Tracer.Span>, native: Tracer.Tracer) =>
  Tracer.make({
    span: (...args) => {
      const span = native.span(...args)
      spans.push(span)
      return span
    },
    context: (f, fiber) => native.context(f, fiber)
  })

const renderSpan = (span: Tracer.Span, fiberRefs: FiberRefs.FiberRefs): string => {
  const parts = [span.name, render(Object.fromEntries(span.attributes))]
  for (const [name, , attributes] of (span as unknown as { events: Array<[string, bigint, Record<string, unknown>]> }).events) {
    parts.push(name, render(attributes))
  }
  if (span.status._tag === "Ended") {
    const exit = span.status.exit
    if (Exit.isFailure(exit)) {
      // What exporters record of a failed span: the pretty cause and each error's message.
      parts.push(Cause.pretty(exit.cause), ...Cause.prettyErrors(exit.cause).map((error) => error.message))
    } else {
      // Exporters do not record a success value, but a tracer or a debugging session may render
      // it; rendered as Effect's logger does (headers redacted: HttpClient spans end with the
      // response, which holds the request). The IMS answer, whose body is the token, must not be
      // any span's value.
      parts.push(Inspectable.withRedactableContext(fiberRefs, () => render(exit)))
    }
  }
  return parts.join(" | ")
}

/** Runs `effect` with debug logging and tracing captured; a failure is recorded, not raised. */
const captured = <A, E, R>(capture: Capture, effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const native = yield* Effect.tracer
    const exit = yield* Effect.exit(
      effect.pipe(
        Effect.withSpan("test.run"),
        Effect.withTracer(captureTracer(capture.spans, native)),
        Effect.provide(Logger.replace(Logger.defaultLogger, captureLogger(capture.logs))),
        Logger.withMinimumLogLevel(LogLevel.All)
      )
    )
    if (Exit.isFailure(exit)) {
      const error = Cause.failureOption(exit.cause)
      capture.errors.push({ error: Option.getOrElse(error, () => Cause.squash(exit.cause)), cause: exit.cause })
    }
    return exit
  })

/** Every rendering of everything captured, one string per item with where it came from. */
const haystack = (capture: Capture, fiberRefs: FiberRefs.FiberRefs): Array<readonly [string, string]> => [
  ...capture.logs.map((log) => ["log", log] as const),
  ...capture.spans.map((span) => [`span ${span.name}`, renderSpan(span, fiberRefs)] as const),
  ...capture.errors.flatMap(({ cause, error }) => [
    ["error.message", (error as Error).message ?? ""] as const,
    ["String(error)", String(error)] as const,
    ["JSON.stringify(error)", JSON.stringify(error)] as const,
    ["inspect(error)", inspect(error, { depth: 8 })] as const,
    ["Cause.pretty", Cause.pretty(cause)] as const
  ])
]

const assertAbsent = (capture: Capture, fiberRefs: FiberRefs.FiberRefs, secrets: ReadonlyArray<string>) => {
  for (const [where, text] of haystack(capture, fiberRefs)) {
    for (const secret of secrets) {
      assert.notInclude(text, secret, `a secret value appeared in ${where}`)
    }
  }
}

/** A port nothing listens on: bind one, then close it. */
const closedPort = Effect.async<number>((resume) => {
  const server = createServer().listen(0, "127.0.0.1", () => {
    const address = server.address()
    server.close(() => resume(Effect.succeed(typeof address === "object" && address !== null ? address.port : 9)))
  })
})

describe("secret leak", () => {
  it.effect("the capture finds a value that is logged (the check can fail)", () =>
    Effect.gen(function*() {
      const capture: Capture = { logs: [], spans: [], errors: [] }
      yield* captured(capture, Effect.logDebug("planted-LOG-value").pipe(Effect.withSpan("planted-span")))
      yield* captured(capture, Effect.fail(new Error("planted-ERROR-value")))
      const all = haystack(capture, yield* Effect.getFiberRefs).map(([, text]) => text).join("\n")
      assert.include(all, "planted-LOG-value")
      assert.include(all, "planted-span")
      assert.include(all, "planted-ERROR-value")
    }))

  it.scoped("neither the client secret nor any issued token appears in logs, spans or errors", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start({ clients: [{ clientId, clientSecret, orgId: Demo.orgId }] })
      const port = yield* closedPort
      const issued = new Set<string>()
      const collectTokens = () => {
        for (const [token, grant] of emulator.state.tokens) if (grant.expiresAt !== undefined) issued.add(token)
      }
      const client = (overrides: { readonly clientSecret?: string; readonly imsUrl?: string } = {}) =>
        AepNode.layer({
          platformUrl: emulator.url,
          imsUrl: emulator.url,
          orgId: Demo.orgId,
          // The emulator's gateway knows one API key; IMS knows the extra client.
          apiKey: Demo.apiKey,
          clientId,
          clientSecret,
          ...overrides
        })
      const capture: Capture = { logs: [], spans: [], errors: [] }

      // Success, a revoked token renewed mid-run, and 4xx answers from the platform.
      const success = yield* captured(
        capture,
        Effect.gen(function*() {
          const batch = yield* Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "json" } })
          yield* Batches.get(batch.id)
          collectTokens()
          emulator.state.revokeIssuedTokens()
          yield* Batches.create({ datasetId: Demo.datasetId })
          collectTokens()
          const notFound = yield* Effect.flip(Batches.get("0000000000000000000000000000dead"))
          yield* Effect.logError("reading the batch failed", notFound)
          const badDataset = yield* Effect.flip(Batches.create({ datasetId: "5c8c3c555033b814b69f0000" }))
          yield* Effect.logWarning(badDataset)
          collectTokens()
          return [notFound, badDataset] as const
        }).pipe(Effect.provide(client()))
      )
      assert.isTrue(Exit.isSuccess(success), Exit.isFailure(success) ? Cause.pretty(success.cause) : "")
      if (Exit.isSuccess(success)) {
        for (const error of success.value) capture.errors.push({ error, cause: Cause.fail(error) })
        assert.deepStrictEqual(success.value.map((error) => error._tag), ["AepHttpError", "AepHttpError"])
      }

      // A wrong secret that looks like the real one; an unreachable IMS.
      const wrong = yield* captured(capture, Batches.create({ datasetId: Demo.datasetId }).pipe(
        Effect.provide(client({ clientSecret: `${clientSecret}-wrong` }))
      ))
      const unreachable = yield* captured(capture, Batches.create({ datasetId: Demo.datasetId }).pipe(
        Effect.provide(client({ imsUrl: `http://127.0.0.1:${port}` }))
      ))
      collectTokens()

      // The paths ran as intended.
      assert.strictEqual(issued.size, 2)
      assert.strictEqual(emulator.state.counter("ims.token"), 3)
      assert.isTrue(Exit.isFailure(wrong) && Option.getOrThrow(Cause.failureOption(wrong.cause))._tag === "AepAuthError")
      assert.isTrue(Exit.isFailure(unreachable))
      assert.deepStrictEqual(
        capture.errors.map(({ error }) => [(error as { _tag: string })._tag, (error as { error?: string }).error]),
        [["AepHttpError", undefined], ["AepHttpError", undefined], ["AepAuthError", "invalid_client"], [
          "AepAuthError",
          "ims_unreachable"
        ]]
      )
      // And the capture saw them: the retry's debug line, the IMS exchange and the HTTP spans.
      const names = new Set(capture.spans.map((span) => span.name))
      for (const name of ["Batches.create", "Batches.get", "ClientCredentials.exchange", "http.client POST", "http.client GET"]) {
        assert.isTrue(names.has(name), `no span ${name} among ${[...names].join(", ")}`)
      }
      assert.isTrue(capture.logs.some((log) => log.includes("retrying once with a new one")))
      assert.isTrue(
        capture.spans.some((span) => String(span.attributes.get("url.full") ?? "").endsWith("/ims/token/v3"))
      )

      assertAbsent(capture, yield* Effect.getFiberRefs, [clientSecret, ...issued])
    }).pipe(RetryPolicy.withPolicy(RetryPolicy.disabled)))
})
