/**
 * One client process of the create benchmarks: `Batches.create` through `AepNode.layer` (the
 * default client, retries and all, as users run it), or a baseline sending the same headers and
 * body by hand: `fetch` (Node's global fetch, undici inside), or `undici.request` on an Agent of
 * the same undici the Node adapter uses (the transport without the library).
 */
import { Batches } from "@effect-aep/core"
import { AepNode } from "@effect-aep/node"
import Undici from "@effect/platform-node/Undici"
import { ManagedRuntime } from "effect"
import { clientMain } from "../lib/child.js"
import { accessToken, apiKey, createInput, orgId, rawBody, rawHeaders } from "../lib/fixtures.js"
import { type Call, latency, type Latency, throughput } from "../lib/load.js"

export type Mode = "aep" | "fetch" | "undici"

export interface Input {
  readonly mode: Mode
  readonly url: string
  readonly warmupMs: number
  readonly latencyCalls: number
  readonly concurrency: ReadonlyArray<number>
  readonly windowMs: number
}

export interface Output {
  readonly latency: Latency | undefined
  /** Answers per second, by concurrency. */
  readonly throughput: Record<number, number>
  /** The client's CPU time per answer (µs), over the throughput runs. */
  readonly cpuPerCall: number
  /** Every answer this process received (what the server served to it). */
  readonly answered: number
}

const path = "/data/foundation/import/batches"

const expect201 = (status: number) => {
  if (status !== 201) throw new Error(`expected 201, got ${status}`)
}

export const makeCall = (mode: Mode, url: string): { call: Call; close: () => Promise<void> } => {
  switch (mode) {
    case "aep": {
      const runtime = ManagedRuntime.make(AepNode.layer({ platformUrl: url, orgId, apiKey, accessToken }))
      return { call: () => runtime.runPromise(Batches.create(createInput)), close: () => runtime.dispose() }
    }
    case "fetch": {
      const headers = rawHeaders(accessToken)
      return {
        call: async () => {
          const response = await fetch(`${url}${path}`, { method: "POST", headers, body: rawBody() })
          expect201(response.status)
          return response.json()
        },
        close: async () => {}
      }
    }
    case "undici": {
      const agent = new Undici.Agent()
      const headers = rawHeaders(accessToken)
      return {
        call: async () => {
          const response = await agent.request({ origin: url, path, method: "POST", headers, body: rawBody() })
          expect201(response.statusCode)
          return response.body.json()
        },
        close: () => agent.close()
      }
    }
  }
}

clientMain<Input, Output>(async (input) => {
  const { call, close } = makeCall(input.mode, input.url)
  // JIT-warm every path before anything is counted.
  const warm = await throughput(call, 16, input.warmupMs, 1)
  const sequential = input.latencyCalls > 0 ? await latency(call, input.latencyCalls) : undefined
  const rates: Record<number, number> = {}
  const cpuBefore = process.cpuUsage()
  let calls = 0
  for (const concurrency of input.concurrency) {
    const measured = await throughput(call, concurrency, 250, input.windowMs)
    rates[concurrency] = measured.perSecond
    calls += measured.completed
  }
  const cpu = process.cpuUsage(cpuBefore)
  await close()
  return {
    latency: sequential,
    throughput: rates,
    cpuPerCall: calls === 0 ? 0 : (cpu.user + cpu.system) / calls,
    answered: warm.completed + input.latencyCalls + calls
  }
})
