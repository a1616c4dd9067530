/**
 * Upload test files: JSON lines (what the emulator validates row by row), written fast by
 * repeating one 1 MiB block of whole lines.
 */
import { closeSync, openSync, writeSync } from "node:fs"

const MiB = 1024 * 1024

/** 1 MiB of JSON lines, the last one padded so that the block ends exactly with a newline. */
const block = (): Buffer => {
  const lines: Array<string> = []
  let length = 0
  for (let i = 0;; i++) {
    const line = JSON.stringify({ id: i, name: `person ${i}`, email: `person${i}@example.com`, score: i % 100 }) + "\n"
    if (length + line.length + 64 > MiB) break
    lines.push(line)
    length += line.length
  }
  const filler = JSON.stringify({ id: -1, pad: "" }) + "\n"
  lines.push(JSON.stringify({ id: -1, pad: "x".repeat(MiB - length - filler.length) }) + "\n")
  const bytes = Buffer.from(lines.join(""))
  if (bytes.length !== MiB) throw new Error(`block is ${bytes.length} bytes`)
  return bytes
}

/** Writes `mebibytes` MiB of JSON lines to `path`. */
export const write = (path: string, mebibytes: number): void => {
  const bytes = block()
  const fd = openSync(path, "w")
  try {
    for (let i = 0; i < mebibytes; i++) writeSync(fd, bytes)
  } finally {
    closeSync(fd)
  }
}
