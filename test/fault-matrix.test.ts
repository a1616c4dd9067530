/**
 * The fault matrix: every fault the emulator can inject, on every kind of operation, through the
 * Node adapter over loopback, with the default retry policies on the TestClock (the emulator
 * shares it, so injected latency and the client's timeouts and backoff move only when the driver
 * moves the clock). For each cell: the outcome (success after N attempts, or the tagged error
 * with its `attempts`), every delay taken (recomputed from the same seeded generator), the
 * virtual time spent, and what the emulator holds afterwards (one batch per create, every file
 * byte once).
 *
 * Each fault fires twice (`times: 2`): a retried request succeeds on its third attempt, the last
 * the default policy allows; the last column fires without end and shows the attempts run out.
 * Set FAULT_MATRIX_REPORT=1 to print the outcome table.
 */
import { Batches, Files, RetryPolicy } from "@effect-aep/core"
import type { AepClient } from "@effect-aep/core"
import { Demo, Emulator } from "@effect-aep/emulator"
import type { Faults } from "@effect-aep/emulator"
import { afterAll, assert, describe, it } from "@effect/vitest"
import { Cause, Chunk, Duration, Effect, Exit, Option, Random, Stream } from "effect"
import { delaysOf, drive, loopbackClient, type Sent } from "./support/faults.js"

const datasetId = Demo.datasetId
const sandbox = Demo.sandboxName
const seed = "fault-matrix"
const requestPolicy = RetryPolicy.defaults
const uploadPolicy = RetryPolicy.uploadDefaults
const timeouts = [requestPolicy.attemptTimeout, uploadPolicy.attemptTimeout]

// The faults, as the emulator takes them; latency is set per operation to outlast its timeout.
const faults = {
  "429 + Retry-After": { type: "status", status: 429, retryAfter: "2" },
  "429": { type: "status", status: 429 },
  "500": { type: "status", status: 500 },
  "502": { type: "status", status: 502 },
  "503": { type: "status", status: 503 },
  "504": { type: "status", status: 504 },
  "reset before": { type: "reset", when: "before" },
  "reset after": { type: "reset", when: "after" },
  "latency > timeout": { type: "latency", millis: 0 },
  "truncated body": { type: "truncate" },
  "malformed JSON": { type: "malformed" },
  "schema-violating 2xx": { type: "schema" }
} as const satisfies Record<string, Faults.Fault>

type FaultName = keyof typeof faults | "503 without end"
// In this order (an object's numeric-looking keys would come first).
const faultNames: ReadonlyArray<FaultName> = [
  "429 + Retry-After",
  "429",
  "500",
  "502",
  "503",
  "504",
  "reset before",
  "reset after",
  "latency > timeout",
  "truncated body",
  "malformed JSON",
  "schema-violating 2xx",
  "503 without end"
]

/** What a retry waited on: a plain draw, a throttled draw, or a draw floored by `Retry-After: 2`. */
type Backoff = "jitter" | "throttled" | "retry-after"

interface Expected {
  /** `ok`, or the tag of the error (with IMS's `error` for AepAuthError). */
  readonly outcome: string
  /** Requests sent for the faulted call (the first attempt included). */
  readonly attempts: number
  /** One entry per retry. */
  readonly backoff: ReadonlyArray<Backoff>
  /** Attempt timeouts that fired. */
  readonly timedOut?: number
  /** For create: Catalog lookups by externalId. */
  readonly lookups?: number
}

const ok = (attempts: number, backoff: Backoff | undefined, extra: Partial<Expected> = {}): Expected => ({
  outcome: "ok",
  attempts,
  backoff: backoff === undefined ? [] : Array.from({ length: attempts - 1 }, () => backoff),
  ...extra
})
const fails = (outcome: string, attempts: number, backoff: Backoff | undefined, extra: Partial<Expected> = {}): Expected => ({
  ...ok(attempts, backoff, extra),
  outcome
})

/** Calls safe to repeat: every retryable fault is retried, the answer's body decides the rest. */
const repeatable = (body: "json" | "empty" | "raw json"): Record<FaultName, Expected> => ({
  "429 + Retry-After": ok(3, "retry-after"),
  "429": ok(3, "throttled"),
  "500": ok(3, "jitter"),
  "502": ok(3, "jitter"),
  "503": ok(3, "jitter"),
  "504": ok(3, "jitter"),
  "reset before": ok(3, "jitter"),
  "reset after": ok(3, "jitter"),
  "latency > timeout": ok(3, "jitter", { timedOut: 2 }),
  // An empty answer has nothing to cut: it arrives whole.
  "truncated body": body === "empty" ? ok(1, undefined) : ok(3, "jitter"),
  // Only JSON answers are decoded; a file or chunk answer is taken as it comes.
  "malformed JSON": body === "json" ? fails("AepDecodeError", 1, undefined) : ok(1, undefined),
  "schema-violating 2xx": body === "json" ? fails("AepDecodeError", 1, undefined) : ok(1, undefined),
  "503 without end": fails("AepHttpError", 3, "jitter")
})

interface Operation {
  readonly name: string
  /** Where the faults are injected. */
  readonly rule: { readonly method: string; readonly path: string }
  /** The faulted call's requests, among all sent. */
  readonly isAttempt: (sent: Sent) => boolean
  readonly policy: RetryPolicy.RetryPolicy
  readonly credentials?: boolean
  readonly expected: Record<FaultName, Expected>
  /** Runs the call; `batchId` is a batch in `loading` made beforehand (with a file, for complete). */
  readonly run: (batchId: string) => Effect.Effect<unknown, unknown, AepClient.AepClient>
  /** What must hold in the emulator afterwards. */
  readonly check: (context: CheckContext) => void
}

interface CheckContext {
  readonly emulator: Emulator.Emulator
  readonly batchId: string
  readonly exit: Exit.Exit<unknown, unknown>
  readonly expected: Expected
}

const encoder = new TextEncoder()
const smallFile = encoder.encode("{\"name\":\"Ada\"}\n{\"name\":\"Grace\"}\n")
const largeFile = encoder.encode(Array.from({ length: 12 }, (_, i) => JSON.stringify({ id: i })).join("\n") + "\n")
const chunkSize = Math.ceil(largeFile.length / 3)

/** The bytes the emulator kept for `name`, in file order. */
const retained = (emulator: Emulator.Emulator, batchId: string, name: string): Uint8Array | undefined => {
  const parts = emulator.state.entry(sandbox, batchId)?.files.get(name)?.retained
  if (parts === undefined) return undefined
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0))
  let offset = 0
  for (const part of parts) {
    out.set(part, offset)
    offset += part.length
  }
  return out
}

const batchesIn = (emulator: Emulator.Emulator) => emulator.state.entriesIn(sandbox).length

const operations: ReadonlyArray<Operation> = [
  {
    name: "create",
    rule: { method: "POST", path: "/import/batches$" },
    isAttempt: (sent) => sent.method === "POST" && sent.path.endsWith("/import/batches"),
    policy: requestPolicy,
    expected: {
      "429 + Retry-After": ok(3, "retry-after"),
      "429": ok(3, "throttled"),
      // 5xx and a lost connection are ambiguous for a POST: the Catalog is asked first.
      "500": ok(3, "jitter", { lookups: 2 }),
      "502": ok(3, "jitter", { lookups: 2 }),
      "503": ok(3, "jitter", { lookups: 2 }),
      "504": ok(3, "jitter", { lookups: 2 }),
      "reset before": ok(3, "jitter", { lookups: 2 }),
      // The batch was made and the answer lost: the lookup finds it, nothing is sent again.
      "reset after": ok(1, undefined, { lookups: 1 }),
      "latency > timeout": ok(3, "jitter", { lookups: 2, timedOut: 2 }),
      "truncated body": ok(1, undefined, { lookups: 1 }),
      // AEP made the batch and answered 201 with a body that is not one: a contract violation,
      // not a transient fault. The batch exists (once); the caller gets the decode error.
      "malformed JSON": fails("AepDecodeError", 1, undefined),
      "schema-violating 2xx": fails("AepDecodeError", 1, undefined),
      "503 without end": fails("AepHttpError", 3, "jitter", { lookups: 2 })
    },
    // The setup batch is not needed: creates start from nothing.
    run: () => Batches.create({ datasetId, inputFormat: { format: "json" } }),
    check: ({ emulator, exit, expected }) => {
      const made = expected.outcome === "ok" || expected.outcome === "AepDecodeError" ? 1 : 0
      assert.strictEqual(batchesIn(emulator) - 1, made, "batches made by the create (no duplicate)")
      if (Exit.isSuccess(exit)) {
        const batch = exit.value as { readonly id: string }
        assert.isDefined(emulator.state.entry(sandbox, batch.id), "the batch answered is the batch made")
      }
    }
  },
  {
    name: "upload small (PUT)",
    rule: { method: "PUT", path: "/files/" },
    isAttempt: (sent) => sent.method === "PUT",
    policy: uploadPolicy,
    expected: repeatable("empty"),
    run: (batchId) => Files.upload(batchId, datasetId, Files.fromBytes("people.json", smallFile)),
    check: ({ batchId, emulator, expected }) => {
      if (expected.outcome !== "ok") return
      assert.deepStrictEqual(retained(emulator, batchId, "people.json"), smallFile, "the file's bytes, once")
      assert.strictEqual(emulator.state.entry(sandbox, batchId)?.files.size, 1)
    }
  },
  {
    name: "upload chunk (PATCH)",
    rule: { method: "PATCH", path: "/files/" },
    // The first chunk is the one faulted.
    isAttempt: (sent) => sent.method === "PATCH" && sent.contentRange?.startsWith("bytes 0-") === true,
    policy: uploadPolicy,
    expected: repeatable("raw json"),
    run: (batchId) =>
      Files.upload(batchId, datasetId, Files.fromBytes("large.json", largeFile), { largeFileThreshold: 8, chunkSize }),
    check: ({ batchId, emulator, expected }) => {
      if (expected.outcome !== "ok") return
      const file = emulator.state.entry(sandbox, batchId)?.files.get("large.json")
      assert.isTrue(file?.complete, "the file's COMPLETE was accepted")
      assert.isFalse(file?.overlap, "no chunk overlapped another")
      assert.deepStrictEqual(retained(emulator, batchId, "large.json"), largeFile, "the file's bytes, once, in order")
    }
  },
  {
    name: "complete",
    rule: { method: "POST", path: "/import/batches/[0-9a-f]+$" },
    isAttempt: (sent) => sent.method === "POST" && /\/import\/batches\/[0-9a-f]+$/.test(sent.path),
    policy: requestPolicy,
    expected: repeatable("empty"),
    run: (batchId) => Batches.complete(batchId),
    check: ({ batchId, emulator, expected }) => {
      if (expected.outcome !== "ok") return
      assert.strictEqual(emulator.state.batch(sandbox, batchId)?.status, "staging")
    }
  },
  {
    name: "get",
    rule: { method: "GET", path: "/catalog/batches/[0-9a-f]+$" },
    isAttempt: (sent) => sent.method === "GET" && /\/catalog\/batches\/[0-9a-f]+$/.test(sent.path),
    policy: requestPolicy,
    expected: repeatable("json"),
    run: (batchId) => Batches.get(batchId),
    check: ({ batchId, exit }) => {
      if (Exit.isSuccess(exit)) assert.strictEqual((exit.value as { readonly id: string }).id, batchId)
    }
  },
  {
    name: "list",
    rule: { method: "GET", path: "/catalog/batches$" },
    isAttempt: (sent) => sent.method === "GET" && sent.path.endsWith("/catalog/batches"),
    policy: requestPolicy,
    expected: repeatable("json"),
    run: () => Stream.runCollect(Batches.list({ datasetId })),
    check: ({ batchId, exit }) => {
      if (Exit.isSuccess(exit)) {
        assert.deepStrictEqual(Chunk.toReadonlyArray(exit.value as Chunk.Chunk<{ readonly id: string }>).map((b) => b.id), [batchId])
      }
    }
  },
  {
    name: "token",
    rule: { method: "POST", path: "/ims/token/v3$" },
    isAttempt: (sent) => sent.path.endsWith("/ims/token/v3"),
    policy: requestPolicy,
    credentials: true,
    expected: {
      "429 + Retry-After": ok(3, "retry-after"),
      "429": ok(3, "throttled"),
      "500": ok(3, "jitter"),
      "502": ok(3, "jitter"),
      "503": ok(3, "jitter"),
      "504": ok(3, "jitter"),
      "reset before": ok(3, "jitter"),
      // Asking IMS again only costs a token.
      "reset after": ok(3, "jitter"),
      "latency > timeout": ok(3, "jitter", { timedOut: 2 }),
      "truncated body": ok(3, "jitter"),
      "malformed JSON": fails("AepAuthError invalid_response", 1, undefined),
      "schema-violating 2xx": fails("AepAuthError invalid_response", 1, undefined),
      "503 without end": fails("AepAuthError ims_unavailable", 3, "jitter")
    },
    // The first call that needs a token makes the exchange.
    run: (batchId) => Batches.get(batchId),
    check: ({ emulator, expected }) => {
      const issued = emulator.state.counter("ims.tokensIssued")
      if (expected.outcome === "ok") assert.isAtLeast(issued, 1)
    }
  }
]

/** The delays the client must have taken: the same draws, the same arithmetic. */
const expectedDelays = (policy: RetryPolicy.RetryPolicy, backoff: ReadonlyArray<Backoff>) =>
  Effect.gen(function*() {
    const draws = Random.make(seed)
    const delays: Array<number> = []
    for (const [i, kind] of backoff.entries()) {
      const delay = RetryPolicy.delay(
        policy,
        i + 1,
        yield* draws.next,
        kind !== "jitter",
        kind === "retry-after" ? Duration.seconds(2) : undefined
      )
      delays.push(Duration.toMillis(delay))
    }
    return delays
  })

const describeOutcome = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "ok"
  const failure = Cause.failureOption(exit.cause)
  if (Option.isNone(failure)) return `defect: ${Cause.pretty(exit.cause)}`
  const error = failure.value as { readonly _tag: string; readonly error?: string }
  return error._tag === "AepAuthError" ? `AepAuthError ${error.error}` : error._tag
}

const attemptsOnError = (exit: Exit.Exit<unknown, unknown>): number | undefined => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return Option.isSome(failure) ? (failure.value as { readonly attempts?: number }).attempts : undefined
}

const report: Array<{ readonly operation: string; readonly fault: FaultName; readonly text: string }> = []

afterAll(() => {
  if (process.env["FAULT_MATRIX_REPORT"] === undefined) return
  const lines = [`| operation | ${faultNames.join(" | ")} |`, `| --- |${faultNames.map(() => " --- |").join("")}`]
  for (const operation of operations) {
    const cells = faultNames.map((fault) => report.find((r) => r.operation === operation.name && r.fault === fault)?.text ?? "?")
    lines.push(`| ${operation.name} | ${cells.join(" | ")} |`)
  }
  process.stdout.write(`\n${lines.join("\n")}\n`)
})

describe.each(operations)("fault matrix: $name", (operation) => {
  it.scoped.each(faultNames)("%s", (faultName) =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start({ processingDelayMillis: 3_600_000 })
      const setupLog: Array<Sent> = []
      // A batch to work on, made before any fault is set (with a file in it, for complete).
      const batchId = yield* Effect.gen(function*() {
        const batch = yield* Batches.create({ datasetId, inputFormat: { format: "json" } })
        if (operation.name === "complete") yield* Files.upload(batch.id, datasetId, Files.fromBytes("people.json", smallFile))
        return batch.id
      }).pipe(Effect.provide(loopbackClient(emulator.url, setupLog)))

      const fault: Faults.Fault = faultName === "503 without end"
        ? { type: "status", status: 503 }
        : faultName === "latency > timeout"
        ? { type: "latency", millis: Duration.toMillis(operation.policy.attemptTimeout) + 60_000 }
        : faults[faultName]
      emulator.state.faults.set({
        rules: [{ ...operation.rule, times: faultName === "503 without end" ? 100 : 2, fault }]
      })

      const sent: Array<Sent> = []
      const expected = operation.expected[faultName]
      const { elapsed, exit, waits } = yield* drive(
        operation.run(batchId).pipe(
          Effect.provide(loopbackClient(emulator.url, sent, { credentials: operation.credentials ?? false })),
          Effect.withRandom(Random.make(seed))
        ),
        { state: emulator.state, timeouts }
      )

      const outcome = describeOutcome(exit)
      const attempts = sent.filter(operation.isAttempt).length
      const delays = delaysOf(waits, timeouts)
      const lookups = sent.filter((s) => s.method === "GET" && s.search.includes("externalId=")).length
      report.push({
        operation: operation.name,
        fault: faultName,
        text: `${outcome === "ok" ? `ok after ${attempts}` : `${outcome} after ${attempts}`}${
          lookups > 0 ? ` (${lookups} lookup${lookups > 1 ? "s" : ""})` : ""
        }`
      })

      assert.strictEqual(outcome, expected.outcome, "outcome")
      assert.strictEqual(attempts, expected.attempts, "requests sent for the faulted call")
      const errorAttempts = attemptsOnError(exit)
      if (errorAttempts !== undefined || (expected.attempts > 1 && outcome !== "ok" && !outcome.startsWith("AepAuthError"))) {
        assert.strictEqual(errorAttempts, expected.attempts, "the error's attempts")
      }
      const wanted = yield* expectedDelays(operation.policy, expected.backoff)
      assert.deepStrictEqual(delays, wanted, "the delays taken")
      const timedOut = expected.timedOut ?? 0
      assert.strictEqual(
        elapsed,
        wanted.reduce((a, b) => a + b, 0) + timedOut * Duration.toMillis(operation.policy.attemptTimeout),
        "virtual time spent"
      )
      assert.strictEqual(lookups, expected.lookups ?? 0, "Catalog lookups by externalId")
      operation.check({ emulator, batchId, exit, expected })
    }))
})

describe("the token exchange under faults", () => {
  it.scoped("a hung IMS is not a hung AEP: create fails with AepAuthError, nothing is sent to AEP, no lookup", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      emulator.state.faults.set({
        rules: [{ method: "POST", path: "/ims/token/v3$", times: 100, fault: { type: "latency", millis: 90_000 } }]
      })
      const sent: Array<Sent> = []
      const { elapsed, exit, waits } = yield* drive(
        Batches.create({ datasetId, inputFormat: { format: "json" } }).pipe(
          Effect.provide(loopbackClient(emulator.url, sent, { credentials: true })),
          Effect.withRandom(Random.make(seed))
        ),
        { state: emulator.state, timeouts }
      )
      assert.strictEqual(describeOutcome(exit), "AepAuthError ims_unreachable")
      assert.strictEqual(sent.filter((s) => s.path.endsWith("/ims/token/v3")).length, 3)
      assert.deepStrictEqual(sent.filter((s) => !s.path.endsWith("/ims/token/v3")), [], "no create, no lookup")
      const delays = delaysOf(waits, timeouts)
      assert.deepStrictEqual(delays, yield* expectedDelays(requestPolicy, ["jitter", "jitter"]))
      assert.strictEqual(elapsed, 3 * 30_000 + delays[0]! + delays[1]!)
      assert.strictEqual(batchesIn(emulator), 0)
    }))

  it.scoped("RetryPolicy.layer governs the exchange too: with retries disabled, one IMS attempt", () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      emulator.state.faults.set({ rules: [{ method: "POST", path: "/ims/token/v3$", fault: { type: "status", status: 503 } }] })
      const sent: Array<Sent> = []
      const { exit } = yield* drive(
        Batches.get("5d01230fc78a4e4f8c0c6b387b4b8d1c").pipe(
          Effect.provide(loopbackClient(emulator.url, sent, { credentials: true, policies: { request: RetryPolicy.disabled } }))
        ),
        { state: emulator.state, timeouts }
      )
      assert.strictEqual(describeOutcome(exit), "AepAuthError ims_unavailable")
      assert.strictEqual(sent.filter((s) => s.path.endsWith("/ims/token/v3")).length, 1)
    }))
})
