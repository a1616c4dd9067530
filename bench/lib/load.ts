/**
 * The load generator every create benchmark uses, whatever sends the request: sequential
 * latency, and throughput with a fixed number of requests in flight.
 */
import { quantile } from "./stats.js"

export type Call = () => Promise<unknown>

export interface Latency {
  /** Microseconds. */
  readonly median: number
  readonly p99: number
}

/** `calls` requests one after another; each one timed. */
export const latency = async (call: Call, calls: number): Promise<Latency> => {
  const samples: Array<number> = new Array(calls)
  for (let i = 0; i < calls; i++) {
    const started = process.hrtime.bigint()
    await call()
    samples[i] = Number(process.hrtime.bigint() - started) / 1000
  }
  return { median: quantile(samples, 0.5), p99: quantile(samples, 0.99) }
}

export interface Throughput {
  /** Answers per second within the window. */
  readonly perSecond: number
  /** Every answer, warm-up and tail included (to divide CPU time by). */
  readonly completed: number
}

/**
 * `concurrency` loops, each sending its next request as soon as the last one is answered.
 * Requests completed within the window (after `warmupMs`) are counted.
 */
export const throughput = async (call: Call, concurrency: number, warmupMs: number, windowMs: number): Promise<Throughput> => {
  let counting = false
  let stop = false
  let count = 0
  let completed = 0
  const loop = async () => {
    while (!stop) {
      await call()
      completed++
      if (counting) count++
    }
  }
  const loops = Array.from({ length: concurrency }, loop)
  await new Promise((resolve) => setTimeout(resolve, warmupMs))
  counting = true
  const started = performance.now()
  await new Promise((resolve) => setTimeout(resolve, windowMs))
  counting = false
  const elapsed = performance.now() - started
  stop = true
  await Promise.all(loops)
  return { perSecond: (count / elapsed) * 1000, completed }
}
