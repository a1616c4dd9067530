/** The emulator's control API (`/__emulator/`), as the benchmarks use it. */

export const counters = async (url: string): Promise<Record<string, number>> => {
  const response = await fetch(`${url}/__emulator/counters`)
  const body = (await response.json()) as { counters: Record<string, number> }
  return body.counters
}

/** Forgets batches, issued tokens and counters: the next run starts from an empty emulator. */
export const reset = async (url: string): Promise<void> => {
  const response = await fetch(`${url}/__emulator/reset`, { method: "POST" })
  await response.arrayBuffer()
  if (!response.ok) throw new Error(`reset: ${response.status}`)
}
