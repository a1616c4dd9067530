/**
 * The soak: 10 000 creates at concurrency 64 against the emulator over loopback (the Node
 * adapter), with about 5% of create requests failing — 503s, connections reset before the
 * request was handled and reset after it (the batch made, the answer lost) — drawn from a seeded
 * generator. Real time, with a policy of short delays. Afterwards exactly 10 000 batches exist:
 * none lost, none made twice.
 */
import { Batches, RetryPolicy } from "@effect-aep/core"
import { Demo, Emulator } from "@effect-aep/emulator"
import { assert, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { loopbackClient, type Sent } from "./support/faults.js"

const total = 10_000
const concurrency = 64

// Short real-time waits, and attempts enough that a create is never left to fail: at 5% a
// request fails, ten in a row fail with a probability of 1e-13.
const policy = RetryPolicy.make({
  maxAttempts: 10,
  baseDelay: "5 millis",
  throttledBaseDelay: "10 millis",
  maxDelay: "100 millis",
  attemptTimeout: "20 seconds",
  deadline: "2 minutes"
})

describe("soak", () => {
  it.scopedLive(`${total} creates at concurrency ${concurrency} with 5% injected 503s and resets: exactly ${total} batches`, () =>
    Effect.gen(function*() {
      const emulator = yield* Emulator.start()
      const creates = { method: "POST", path: "/import/batches$" }
      // Rules are tried in order: 2% 503, then 1.5% of the rest reset before, 1.5% reset after.
      emulator.state.faults.set({
        seed: 6,
        rules: [
          { ...creates, probability: 0.02, fault: { type: "status", status: 503 } },
          { ...creates, probability: 0.015 / 0.98, fault: { type: "reset", when: "before" } },
          { ...creates, probability: 0.015 / (0.98 - 0.015), fault: { type: "reset", when: "after" } }
        ]
      })
      const sent: Array<Sent> = []
      const startedAt = performance.now()
      const batches = yield* Effect.forEach(
        Array.from({ length: total }, (_, i) => i),
        () => Batches.create({ datasetId: Demo.datasetId, inputFormat: { format: "json" } }),
        { concurrency }
      ).pipe(Effect.provide(loopbackClient(emulator.url, sent, { policies: { request: policy } })))
      const seconds = (performance.now() - startedAt) / 1000

      const fired = emulator.state.faults.describe().map((rule) => rule.fired)
      const createRequests = sent.filter((s) => s.method === "POST").length
      const lookups = sent.filter((s) => s.method === "GET").length
      process.stdout.write(
        `\nsoak: ${total} creates at concurrency ${concurrency} in ${seconds.toFixed(1)} s; ${createRequests} create requests, ` +
          `${lookups} Catalog lookups; faults fired: 503 ×${fired[0]}, reset before ×${fired[1]}, reset after ×${fired[2]}; ` +
          `${emulator.state.batches.size} batches\n`
      )

      assert.strictEqual(batches.length, total)
      assert.strictEqual(new Set(batches.map((batch) => batch.id)).size, total, "every create answered a batch of its own")
      assert.strictEqual(emulator.state.batches.size, total, "exactly as many batches as creates")
      for (const batch of batches) assert.isDefined(emulator.state.entry(Demo.sandboxName, batch.id))
      // The faults did fire, at about the rate asked for.
      const faults = fired.reduce((a, b) => a + b, 0)
      assert.isAbove(faults, 0.04 * createRequests)
      assert.isBelow(faults, 0.06 * createRequests)
      assert.isAbove(fired[2]!, 0, "some batches were made with their answer lost")
      // Every request the emulator handled was a create that made a batch, or a reset-after one.
      assert.strictEqual(emulator.state.counter("batches.create"), total)
      // 503s and resets before left nothing behind: each got a lookup that found nothing, then a retry.
      assert.strictEqual(createRequests, total + fired[0]! + fired[1]!)
      assert.strictEqual(lookups, fired[0]! + fired[1]! + fired[2]!)
    }), 300_000)
})
