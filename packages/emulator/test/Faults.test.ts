import { assert, describe, it } from "@effect/vitest"
import { Chunk, Duration, Effect, Either, Fiber, Option, TestClock } from "effect"
import * as Demo from "../src/Demo.js"
import * as Emulator from "../src/Emulator.js"
import * as Schemas from "../src/Schemas.js"
import {
  call,
  catalogPath,
  counters,
  createBatch,
  decode,
  expectEmpty,
  expectGateway,
  expectJson,
  expectProblem,
  importPath,
  realPause,
  reset,
  send,
  setFaults
} from "./support.js"

const createPath = `${importPath}/batches`
const createBody = JSON.stringify({ datasetId: Demo.datasetId })
const create = call(createPath, { method: "POST", body: createBody })
const createRaw = send(createPath, { method: "POST", body: createBody })

const onCreate = (fault: unknown, extra: Record<string, unknown> = {}) => ({
  rules: [{ method: "POST", path: "/import/batches$", fault, ...extra }]
})

const lastBatchesPath = `${catalogPath}/lastBatches`

/** The statuses of `n` requests to lastBatches. */
const statuses = (n: number) =>
  Effect.forEach(Array.from({ length: n }), () => Effect.map(call(lastBatchesPath), (answer) => answer.status))

describe("Faults", () => {
  it.layer(Emulator.layer())((it) => {
    it.effect("answers an injected 429 in the gateway's form with Retry-After, without running the endpoint, once", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults(onCreate({ type: "status", status: 429, retryAfter: "3" }))
        const throttled = yield* create
        expectGateway(throttled, 429, "429050")
        assert.strictEqual(throttled.headers.get("retry-after"), "3")
        const counted = yield* counters
        assert.strictEqual(counted.batches, 0)
        assert.isUndefined(counted.counters["batches.create"])
        assert.strictEqual(counted.counters["faults.status"], 1)
        // A rule without `times` or `probability` fires once.
        expectJson(yield* create, 201, Schemas.Batch)
        assert.strictEqual((yield* counters).batches, 1)

        yield* setFaults(onCreate({ type: "status", status: 429 }))
        const bare = yield* create
        expectGateway(bare, 429, "429050")
        assert.isNull(bare.headers.get("retry-after"))
      }))

    it.effect("answers injected 500, 502, 503 and 504 in the services' form, rule after rule", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults({
          rules: [500, 502, 503, 504].map((status) => ({
            path: "/import/batches$",
            fault: { type: "status", status, retryAfter: "Wed, 21 Oct 2026 07:28:00 GMT" }
          }))
        })
        for (const status of [500, 502, 503, 504]) {
          const answer = yield* create
          expectProblem(answer, status, /Injected fault/)
          assert.strictEqual(answer.headers.get("retry-after"), "Wed, 21 Oct 2026 07:28:00 GMT")
        }
        expectJson(yield* create, 201, Schemas.Batch)
        assert.strictEqual((yield* counters).batches, 1)
        const described = expectJson(yield* call("/__emulator/faults"), 200, Schemas.FaultRules)
        assert.deepStrictEqual(described.rules.map((rule) => rule.fired), [1, 1, 1, 1])
      }))

    it.effect("adds latency by Effect's clock: the answer waits until the test clock has moved that far", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults({ rules: [{ path: "/catalog/lastBatches$", fault: { type: "latency", millis: 5000 } }] })
        const fiber = yield* Effect.fork(call(lastBatchesPath))
        // Wait (for real) until the emulator sleeps on the test clock.
        for (let i = 0; i < 200 && Chunk.isEmpty(yield* TestClock.sleeps()); i++) yield* realPause(5)
        assert.isFalse(Chunk.isEmpty(yield* TestClock.sleeps()), "the emulator never slept")
        yield* TestClock.adjust(Duration.millis(4999))
        yield* realPause(20)
        assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)), "answered before the latency had passed")
        yield* TestClock.adjust(Duration.millis(1))
        const answer = yield* Fiber.join(fiber)
        expectJson(answer, 200, Schemas.LastBatches)
        // Only that request was slowed.
        expectJson(yield* call(lastBatchesPath), 200, Schemas.LastBatches)
      }))

    it.effect("resets the connection before the endpoint runs: no answer, and no batch", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults(onCreate({ type: "reset", when: "before" }))
        assert.isTrue(Either.isLeft(yield* Effect.either(createRaw)))
        const counted = yield* counters
        assert.strictEqual(counted.batches, 0)
        assert.isUndefined(counted.counters["batches.create"])
        assert.strictEqual(counted.counters["faults.reset"], 1)
        // The emulator itself is fine.
        expectJson(yield* create, 201, Schemas.Batch)
      }))

    it.effect("resets the connection after the endpoint ran: no answer, but the batch exists", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults(onCreate({ type: "reset", when: "after" }))
        assert.isTrue(Either.isLeft(yield* Effect.either(createRaw)))
        assert.strictEqual((yield* counters).batches, 1)
        const listed = expectJson(yield* call(`${catalogPath}/batches`), 200, Schemas.BatchesById)
        assert.strictEqual(Object.keys(listed).length, 1)
      }))

    it.effect("truncates the body: the status arrives, reading the body fails", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults(onCreate({ type: "truncate" }))
        const response = yield* Effect.orDie(createRaw)
        assert.strictEqual(response.status, 201)
        const body = yield* Effect.either(Effect.tryPromise(() => response.text()))
        assert.isTrue(Either.isLeft(body), "the body was read whole")
        assert.strictEqual((yield* counters).batches, 1)
      }))

    it.effect("sends a malformed JSON body with a 2xx, and leaves error answers alone", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults(onCreate({ type: "malformed" }))
        const answer = yield* create
        assert.strictEqual(answer.status, 201)
        assert.match(answer.headers.get("content-type") ?? "", /^application\/json/)
        assert.throws(() => JSON.parse(answer.text), SyntaxError)
        assert.strictEqual((yield* counters).batches, 1)

        yield* setFaults({ rules: [{ path: "/catalog/batches/", fault: { type: "malformed" } }] })
        expectProblem(yield* call(`${catalogPath}/batches/${"0".repeat(32)}`), 404)
      }))

    it.effect("sends a 2xx whose JSON violates the batch Schema", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults(onCreate({ type: "schema" }))
        const answer = yield* create
        assert.strictEqual(answer.status, 201)
        const body: unknown = JSON.parse(answer.text)
        assert.throws(() => decode(Schemas.Batch, body), /Batch/)
        assert.strictEqual((yield* counters).batches, 1)
        // The next answer is whole again.
        expectJson(yield* create, 201, Schemas.Batch)
      }))

    it.effect("fires probabilistic rules from a seeded generator: the same seed, the same pattern", () =>
      Effect.gen(function*() {
        yield* reset
        const plan = (seed: number) => ({
          seed,
          rules: [{ path: "/catalog/lastBatches$", probability: 0.5, fault: { type: "status", status: 503 } }]
        })
        yield* setFaults(plan(42))
        const first = yield* statuses(24)
        assert.includeMembers(first, [200, 503])
        assert.deepStrictEqual([...new Set(first)].sort(), [200, 503])
        const described = expectJson(yield* call("/__emulator/faults"), 200, Schemas.FaultRules)
        assert.strictEqual(described.rules[0]?.fired, first.filter((status) => status === 503).length)
        yield* setFaults(plan(42))
        assert.deepStrictEqual(yield* statuses(24), first)
        yield* setFaults(plan(7))
        assert.notDeepEqual(yield* statuses(24), first)
        // A probability limited by `times` stops firing.
        yield* setFaults({ ...plan(42), rules: [{ ...plan(42).rules[0]!, probability: 1, times: 2 }] })
        assert.deepStrictEqual(yield* statuses(4), [503, 503, 200, 200])
      }))

    it.effect("lets `skip` requests through, fires `times` times, and matches by method and path", () =>
      Effect.gen(function*() {
        yield* reset
        yield* setFaults({ rules: [{ path: "/catalog/lastBatches$", skip: 2, times: 2, fault: { type: "status", status: 500 } }] })
        assert.deepStrictEqual(yield* statuses(6), [200, 200, 500, 500, 200, 200])

        yield* setFaults({ rules: [{ method: "get", path: "^/data/foundation/", times: 10, fault: { type: "status", status: 503 } }] })
        expectJson(yield* create, 201, Schemas.Batch)
        expectProblem(yield* call(`${catalogPath}/batches`), 503)
        expectProblem(yield* call(lastBatchesPath), 503)
        // The control API is never faulted.
        yield* setFaults({ rules: [{ path: ".", times: 100, fault: { type: "reset", when: "before" } }] })
        expectJson(yield* call("/__emulator/counters"), 200, Schemas.Counters)
        expectJson(yield* call("/__emulator/faults"), 200, Schemas.FaultRules)
      }))

    it.effect("refuses invalid plans with 400 and keeps the rules in force; DELETE clears them", () =>
      Effect.gen(function*() {
        yield* reset
        const inForce = yield* setFaults(onCreate({ type: "status", status: 503 }, { times: 3 }))
        const invalid = [
          "{",
          JSON.stringify({}),
          JSON.stringify({ rules: [{ path: "(", fault: { type: "truncate" } }] }),
          JSON.stringify(onCreate({ type: "status", status: 200 })),
          JSON.stringify(onCreate({ type: "status", status: 600 })),
          JSON.stringify(onCreate({ type: "explode" })),
          JSON.stringify(onCreate({ type: "reset", when: "during" })),
          JSON.stringify(onCreate({ type: "latency", millis: -1 })),
          JSON.stringify(onCreate({ type: "truncate" }, { probability: 2 })),
          JSON.stringify(onCreate({ type: "truncate" }, { times: 0 }))
        ]
        for (const body of invalid) expectProblem(yield* call("/__emulator/faults", { method: "POST", body }), 400)
        assert.deepStrictEqual(expectJson(yield* call("/__emulator/faults"), 200, Schemas.FaultRules), inForce)
        expectProblem(yield* create, 503)

        expectEmpty(yield* call("/__emulator/faults", { method: "DELETE" }), 204)
        assert.deepStrictEqual(expectJson(yield* call("/__emulator/faults"), 200, Schemas.FaultRules), { rules: [] })
        expectJson(yield* create, 201, Schemas.Batch)
        yield* createBatch()
      }))
  })
})
