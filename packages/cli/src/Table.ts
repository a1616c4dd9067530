/**
 * Plain-text layout for people: aligned tables, key/value blocks, and readable sizes, rates,
 * durations and times. No colour unless asked for, so piped output stays clean.
 *
 * @since 0.1.0
 */
import * as DateTime from "effect/DateTime"
import { stripAnsi } from "./Output.js"

const width = (text: string): number => [...stripAnsi(text)].length

const pad = (text: string, to: number): string => text + " ".repeat(Math.max(0, to - width(text)))

/**
 * Columns aligned under upper-case headers, two spaces apart. The last column is not padded.
 *
 * @since 0.1.0
 * @category layout
 */
export const table = (headers: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = headers.map((header, column) => Math.max(width(header), ...rows.map((row) => width(row[column] ?? ""))))
  const render = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => (column === cells.length - 1 ? cell : pad(cell, widths[column] ?? 0))).join("  ").trimEnd()
  return [render(headers.map((header) => header.toUpperCase())), ...rows.map(render)].join("\n")
}

/**
 * `key:  value` lines with the values aligned. Entries whose value is `undefined` are left out.
 *
 * @since 0.1.0
 * @category layout
 */
export const keyValue = (entries: ReadonlyArray<readonly [string, string | undefined]>): string => {
  const present = entries.filter((entry): entry is readonly [string, string] => entry[1] !== undefined)
  const keyWidth = Math.max(0, ...present.map(([key]) => width(key) + 1))
  return present.map(([key, value]) => `${pad(`${key}:`, keyWidth)}  ${value}`).join("\n")
}

/**
 * Bytes in binary units: `512 B`, `1.5 KiB`, `20.0 MiB`.
 *
 * @since 0.1.0
 * @category units
 */
export const bytes = (n: number): string => {
  if (n < 1024) return `${n} B`
  const units = ["KiB", "MiB", "GiB", "TiB"]
  let value = n / 1024
  let unit = 0
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024
    unit++
  }
  return `${value.toFixed(1)} ${units[unit]}`
}

/**
 * A transfer rate: `1.2 MiB/s`.
 *
 * @since 0.1.0
 * @category units
 */
export const rate = (bytesPerSecond: number): string =>
  Number.isFinite(bytesPerSecond) ? `${bytes(Math.round(bytesPerSecond))}/s` : "-"

/**
 * A duration for people: `350 ms`, `4.2 s`, `3m 05s`, `1h 02m`.
 *
 * @since 0.1.0
 * @category units
 */
export const duration = (millis: number): string => {
  if (!Number.isFinite(millis) || millis < 0) return "-"
  if (millis < 1000) return `${Math.round(millis)} ms`
  const seconds = millis / 1000
  if (seconds < 60) return `${seconds.toFixed(1)} s`
  const whole = Math.round(seconds)
  const two = (n: number) => String(n).padStart(2, "0")
  if (whole < 3600) return `${Math.floor(whole / 60)}m ${two(whole % 60)}s`
  return `${Math.floor(whole / 3600)}h ${two(Math.floor((whole % 3600) / 60))}m`
}

/**
 * A point in time, to the second, in UTC: `2026-05-04 10:20:30Z`.
 *
 * @since 0.1.0
 * @category units
 */
export const time = (instant: DateTime.Utc | undefined): string | undefined =>
  instant === undefined ? undefined : DateTime.formatIso(instant).replace("T", " ").replace(/\.\d+Z$/, "Z")

/**
 * A number with thousands separators: `12,345`.
 *
 * @since 0.1.0
 * @category units
 */
export const count = (n: number): string => n.toLocaleString("en-US")

/**
 * Cuts a one-line text to `max` characters with an ellipsis.
 *
 * @since 0.1.0
 * @category layout
 */
export const truncate = (text: string, max: number): string => {
  const flat = text.replace(/\s+/g, " ").trim()
  return flat.length <= max ? flat : `${flat.slice(0, Math.max(0, max - 1))}…`
}

const styles = { red: "31", green: "32", yellow: "33", dim: "2", bold: "1" } as const

/**
 * Wraps `text` in an ANSI style when `enabled`.
 *
 * @since 0.1.0
 * @category layout
 */
export const style = (enabled: boolean, name: keyof typeof styles, text: string): string =>
  enabled ? `\u001b[${styles[name]}m${text}\u001b[0m` : text
