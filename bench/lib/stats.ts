/**
 * Summaries of repeated measurements. Machines here are noisy, so every figure is a median over
 * rounds with its spread (min–max), never a single run or a mean.
 */

export interface Summary {
  readonly median: number
  readonly min: number
  readonly max: number
  readonly n: number
}

const sorted = (values: ReadonlyArray<number>): Array<number> => [...values].sort((a, b) => a - b)

/** The q-quantile (0..1) by linear interpolation between closest ranks. */
export const quantile = (values: ReadonlyArray<number>, q: number): number => {
  if (values.length === 0) return Number.NaN
  const s = sorted(values)
  const position = (s.length - 1) * q
  const lower = Math.floor(position)
  const upper = Math.ceil(position)
  return s[lower]! + (s[upper]! - s[lower]!) * (position - lower)
}

export const summarize = (values: ReadonlyArray<number>): Summary => {
  const s = sorted(values)
  return { median: quantile(s, 0.5), min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN, n: s.length }
}

/**
 * Ratios of paired rounds (ours / baseline, measured back to back), summarized. Pairing cancels
 * the slow drift of a shared machine better than a ratio of two medians would.
 */
export const pairedRatios = (ours: ReadonlyArray<number>, baseline: ReadonlyArray<number>): Summary =>
  summarize(ours.map((value, i) => value / baseline[i]!))
