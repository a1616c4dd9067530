/**
 * Token single-flight: `burst` concurrent creates on a fresh client (client credentials, empty
 * token cache) against the emulator, counting the token requests IMS received (the emulator's
 * `ims.token` counter), next to the same burst on a fresh client whose cache one create has
 * already filled. Both start with no open connections beyond that one, so the difference is the
 * token: one IMS round trip that every create of the burst waits on.
 */
import { Batches } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import { ManagedRuntime, Redacted } from "effect"
import { clientMain } from "../lib/child.js"
import * as Control from "../lib/emulatorControl.js"
import { apiKey, clientSecret, createInput, orgId } from "../lib/fixtures.js"
import { quantile } from "../lib/stats.js"

export interface Input {
  readonly url: string
  readonly rounds: number
  readonly burst: number
}

export interface Burst {
  /** From the first create sent to the last answer, ms. */
  readonly wallMs: number
  /** Per-create latency within the burst, ms. */
  readonly p50Ms: number
  readonly p99Ms: number
  /** Token requests IMS received during the burst. */
  readonly tokenRequests: number
}

export interface Output {
  readonly cold: ReadonlyArray<Burst>
  readonly warm: ReadonlyArray<Burst>
}

const burst = async (url: string, size: number, warm: boolean): Promise<Burst> => {
  const runtime = ManagedRuntime.make(AepNode.layer({
    platformUrl: url,
    imsUrl: url,
    orgId,
    apiKey,
    clientSecret: Redacted.make(clientSecret)
  }))
  await runtime.runtime()
  if (warm) await runtime.runPromise(Batches.create(createInput))
  const before = (await Control.counters(url))["ims.token"] ?? 0
  const latencies: Array<number> = []
  const started = performance.now()
  await Promise.all(Array.from({ length: size }, async () => {
    const sent = performance.now()
    await runtime.runPromise(Batches.create(createInput))
    latencies.push(performance.now() - sent)
  }))
  const wallMs = performance.now() - started
  const after = (await Control.counters(url))["ims.token"] ?? 0
  await runtime.dispose()
  return { wallMs, p50Ms: quantile(latencies, 0.5), p99Ms: quantile(latencies, 0.99), tokenRequests: after - before }
}

clientMain<Input, Output>(async (input) => {
  const cold: Array<Burst> = []
  const warm: Array<Burst> = []
  // One round to warm the JIT, not counted.
  await Control.reset(input.url)
  await burst(input.url, input.burst, false)
  for (let round = 0; round < input.rounds; round++) {
    // Alternate which goes first, so that drift does not favour either.
    for (const isWarm of round % 2 === 0 ? [false, true] : [true, false]) {
      await Control.reset(input.url)
      const measured = await burst(input.url, input.burst, isWarm)
      if (isWarm) warm.push(measured)
      else cold.push(measured)
    }
  }
  return { cold, warm }
})
