/**
 * How the emulator reads the files of a batch and decides how the batch ends.
 *
 * A `FileProcessor` takes a file's bytes chunk by chunk, validates them as they arrive and lets
 * them go, so a multi-gigabyte upload costs flat memory; `decide` then turns every file's result
 * into the batch's status, `metrics` and `errors`, the way the Catalog reports them.
 *
 * Pure TypeScript, no I/O and no Node-only API: it runs wherever `TextDecoder` does.
 *
 * @since 0.1.0
 */

/**
 * The formats a batch can declare.
 *
 * @since 0.1.0
 * @category models
 */
export type Format = "json" | "parquet" | "csv"

/**
 * A batch's `inputFormat`. `format` is matched in any letter case (docs write `json`, the spec's
 * enum `JSON`). The CSV options follow the Catalog's legacy schema, where every value is a string,
 * so `header` also takes `"true"` / `"false"`. Only UTF-8 is read: `charset` and `nullMarker` are
 * accepted and ignored.
 *
 * @since 0.1.0
 * @category models
 */
export interface InputFormat {
  readonly format: Format | Uppercase<Format> | Capitalize<Format>
  /** JSON only: the whole file is one JSON value instead of one record per line. */
  readonly isMultiLineJson?: boolean | undefined
  /** CSV: one character, default `,`; `\t` may be given escaped (`"\\t"`). */
  readonly delimiter?: string | undefined
  /** CSV: default `"`; an empty string turns quoting off. */
  readonly quote?: string | undefined
  /** CSV: the character that escapes a quote inside a quoted field; default the quote itself (`""`). */
  readonly escape?: string | undefined
  /** CSV: whether the first row names the columns; default true. */
  readonly header?: boolean | string | undefined
  readonly nullMarker?: string | undefined
  readonly charset?: string | undefined
}

/**
 * The bounds that keep memory flat. Every field has a default in `defaultLimits`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Limits {
  /** Row errors kept per file; failures beyond it are still counted. */
  readonly maxRowErrors?: number | undefined
  /** Characters of a bad row kept in `_corrupt_record`. */
  readonly maxCorruptRecordLength?: number | undefined
  /** Longest JSON line read; a longer line is a corrupt record and is skipped, not buffered. */
  readonly maxRecordBytes?: number | undefined
  /** Largest multi-line JSON file read; a larger one is one corrupt record. */
  readonly maxDocumentBytes?: number | undefined
  /** Largest Parquet footer read; a larger one makes the file unreadable. */
  readonly maxParquetFooterBytes?: number | undefined
}

/**
 * The limits used when none are given.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultLimits: Required<{ readonly [K in keyof Limits]: number }> = {
  maxRowErrors: 1000,
  maxCorruptRecordLength: 1024,
  maxRecordBytes: 16 * 1024 * 1024,
  // V8 cannot make a string much longer than 512 M characters; stay well under it.
  maxDocumentBytes: 256 * 1024 * 1024,
  maxParquetFooterBytes: 1024 * 1024
}

/**
 * One line of a `row_errors` diagnostics file, in the documented shape.
 *
 * @since 0.1.0
 * @category models
 */
export interface RowError {
  /** The raw line or row, cut to `maxCorruptRecordLength` characters. */
  readonly _corrupt_record: string
  readonly _errors: Array<{ readonly code: "1401"; readonly message: string }>
  readonly _filename: string
}

/**
 * Why a whole file was refused.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileError {
  readonly code: string
  readonly description: string
}

/**
 * What reading one file found. `records` counts every row read, good or corrupt (AEP's
 * `inputRecordCount`); `failedRecords` the corrupt ones.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileResult {
  readonly name: string
  readonly bytes: number
  readonly records: number
  readonly failedRecords: number
  readonly rowErrors: Array<RowError>
  readonly fileError?: FileError
}

/**
 * Reads one file incrementally. Push the chunks in file order, then call `finish` once.
 *
 * @since 0.1.0
 * @category models
 */
export interface FileProcessor {
  readonly push: (chunk: Uint8Array) => void
  readonly finish: () => FileResult
  /** About how many bytes of input the processor is holding right now. */
  readonly retainedBytes: () => number
}

/**
 * The message of every `1401` row error, as the diagnostics example in Adobe's docs words it.
 *
 * @since 0.1.0
 * @category constants
 */
export const corruptRowMessage = "Row is corrupted and cannot be read, please fix and resend."

/**
 * Reads a batch's stored `inputFormat` (as it came in the create request) leniently: any letter
 * case for `format`, `"true"` / `"false"` strings for the booleans. A missing or unknown `format`
 * reads as Parquet, the format AEP reports for a batch created without one.
 *
 * @since 0.1.0
 * @category constructors
 */
export const readInputFormat = (value: unknown): InputFormat => {
  const record = typeof value === "object" && value !== null ? value as Record<string, unknown> : {}
  const format = String(record.format ?? "").toLowerCase()
  const out: { -readonly [K in keyof InputFormat]: InputFormat[K] } = {
    format: format === "json" || format === "csv" ? format : "parquet"
  }
  const multiLine = toBoolean(record.isMultiLineJson)
  if (multiLine !== undefined) out.isMultiLineJson = multiLine
  for (const key of ["delimiter", "quote", "escape", "nullMarker", "charset"] as const) {
    const field = record[key]
    if (typeof field === "string") out[key] = field
  }
  const header = record.header
  if (typeof header === "boolean" || typeof header === "string") out.header = header
  return out
}

/**
 * A processor for one file of a batch with the given input format. Memory stays bounded by the
 * longest line (JSON lines) or by a constant (CSV keeps only a row's first characters for its
 * error, Parquet only the first 4 bytes and the last `maxParquetFooterBytes`). Multi-line JSON is
 * the exception: the whole file is one JSON value, so it is buffered up to `maxDocumentBytes`.
 *
 * Chunks may be reused by the caller after `push` returns: whatever is kept is copied.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFileProcessor = (name: string, format: InputFormat, limits: Limits = {}): FileProcessor => {
  const settings = resolveLimits(limits)
  switch (format.format.toLowerCase()) {
    case "json":
      return format.isMultiLineJson === true ? jsonDocument(name, settings) : jsonLines(name, settings)
    case "csv":
      return csv(name, format, settings)
    default:
      return parquet(name, settings)
  }
}

/**
 * What `decide` needs from the batch.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecideOptions {
  /** Allowed failed rows, in percent of the rows read; default 0. */
  readonly partialIngestionPercentage?: number | undefined
}

/**
 * One entry of a batch's `errors`.
 *
 * @since 0.1.0
 * @category models
 */
export interface OutcomeError {
  readonly code: string
  readonly description: string
  readonly recordCount?: number
  readonly rows?: []
}

/**
 * A batch's `metrics`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Metrics {
  readonly inputByteSize: number
  readonly inputFileCount: number
  readonly inputRecordCount: number
  readonly outputRecordCount: number
  readonly failedRecordCount: number
}

/**
 * How a batch ends. `recordCount` is the rows that reached the dataset (0 when the batch failed);
 * `failedRecordCount` the corrupt rows, whether or not the batch failed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Outcome {
  readonly status: "success" | "failed"
  readonly recordCount: number
  readonly failedRecordCount: number
  readonly metrics: Metrics
  readonly errors: Array<OutcomeError>
}

/**
 * Decides a batch from its files' results:
 *
 * - no files, or any file refused as a whole (empty, unreadable Parquet): `failed`;
 * - otherwise `success` when corrupt rows are at most `partialIngestionPercentage` percent of the
 *   rows read, `failed` above it (the default 0 allows none).
 *
 * Corrupt rows are reported as the documented pair `INGEST-1212-400` (the summary) and
 * `INGEST-1401-400` (with `recordCount`), on success as in Adobe's partial-ingestion example.
 *
 * @since 0.1.0
 * @category combinators
 */
export const decide = (files: ReadonlyArray<FileResult>, options: DecideOptions = {}): Outcome => {
  const allowed = percentage(options.partialIngestionPercentage)
  let inputByteSize = 0
  let inputRecordCount = 0
  let failedRecordCount = 0
  const errors: Array<OutcomeError> = []
  for (const file of files) {
    inputByteSize += file.bytes
    inputRecordCount += file.records
    failedRecordCount += file.failedRecords
    if (file.fileError !== undefined) errors.push({ ...file.fileError, rows: [] })
  }
  if (files.length === 0) {
    errors.push({
      code: "106",
      description: "The batch has no files. Upload at least one file before completing the batch.",
      rows: []
    })
  }
  const good = inputRecordCount - failedRecordCount
  // Multiplying instead of dividing keeps "exactly at the threshold" exact; the epsilon absorbs
  // binary fractions such as 0.1 %.
  const withinThreshold = failedRecordCount * 100 <= allowed * inputRecordCount * (1 + 1e-12)
  const success = errors.length === 0 && withinThreshold
  if (failedRecordCount > 0) {
    const outcome = success
      ? `Successfully ingested ${good} rows.`
      : withinThreshold
      ? "No rows were ingested because the batch failed."
      : `${formatPercent(failedRecordCount * 100 / inputRecordCount)}% of ${inputRecordCount} rows failed, more than ` +
        `the ${formatPercent(allowed)}% that partial ingestion allows. No rows were ingested.`
    // Adobe's template says "errors" and "rows" whatever the count: kept, as clients may match it.
    errors.push({
      code: "INGEST-1212-400",
      description: `Encountered ${failedRecordCount} errors in the data${success || withinThreshold ? "." : ":"} ` +
        `${outcome} Please review the associated diagnostic files for more details.`
    }, {
      code: "INGEST-1401-400",
      description: "The row has corrupted data and cannot be read or parsed. Fix the corrupted data and try again.",
      recordCount: failedRecordCount
    })
  }
  const outputRecordCount = success ? good : 0
  return {
    status: success ? "success" : "failed",
    recordCount: outputRecordCount,
    failedRecordCount,
    metrics: { inputByteSize, inputFileCount: files.length, inputRecordCount, outputRecordCount, failedRecordCount },
    errors
  }
}

// --- internals -------------------------------------------------------------------------------

type Settings = { readonly [K in keyof Limits]-?: number }

const resolveLimits = (limits: Limits): Settings => ({
  maxRowErrors: limits.maxRowErrors ?? defaultLimits.maxRowErrors,
  maxCorruptRecordLength: limits.maxCorruptRecordLength ?? defaultLimits.maxCorruptRecordLength,
  maxRecordBytes: limits.maxRecordBytes ?? defaultLimits.maxRecordBytes,
  maxDocumentBytes: limits.maxDocumentBytes ?? defaultLimits.maxDocumentBytes,
  maxParquetFooterBytes: limits.maxParquetFooterBytes ?? defaultLimits.maxParquetFooterBytes
})

const percentage = (value: number | undefined): number =>
  value === undefined || !Number.isFinite(value) ? 0 : Math.min(100, Math.max(0, value))

const formatPercent = (value: number): string => String(Number(value.toFixed(2)))

const toBoolean = (value: unknown): boolean | undefined =>
  typeof value === "boolean"
    ? value
    : typeof value === "string" && /^(true|false)$/i.test(value.trim())
    ? value.trim().toLowerCase() === "true"
    : undefined

const emptyFile = (name: string): FileError => ({
  code: "106",
  description: `The file ${name} is empty. Upload a file that contains at least one record.`
})

/** Cuts to `max` UTF-16 units without leaving half a surrogate pair. */
const truncate = (text: string, max: number): string => {
  if (text.length <= max) return text
  const code = text.charCodeAt(max - 1)
  return text.slice(0, code >= 0xd800 && code <= 0xdbff ? max - 1 : max)
}

/** Counts rows and keeps the first row errors of one file. */
class Tally {
  records = 0
  failed = 0
  readonly rowErrors: Array<RowError> = []
  constructor(readonly name: string, readonly settings: Settings) {}

  good(): void {
    this.records++
  }

  corrupt(raw: string): void {
    this.records++
    this.failed++
    if (this.rowErrors.length < this.settings.maxRowErrors) {
      this.rowErrors.push({
        _corrupt_record: truncate(raw, this.settings.maxCorruptRecordLength),
        _errors: [{ code: "1401", message: corruptRowMessage }],
        _filename: this.name
      })
    }
  }

  result(bytes: number, fileError?: FileError): FileResult {
    return {
      name: this.name,
      bytes,
      records: this.records,
      failedRecords: this.failed,
      rowErrors: this.rowErrors,
      ...(fileError === undefined ? {} : { fileError })
    }
  }
}

const once = (name: string) => {
  let finished = false
  return {
    check: () => {
      if (finished) throw new Error(`FileProcessor for ${name} is already finished`)
    },
    finish: () => {
      if (finished) throw new Error(`FileProcessor for ${name} is already finished`)
      finished = true
    }
  }
}

const LF = 0x0a
const CR = 0x0d

// --- JSON, one record per line ---------------------------------------------------------------

const isJsonRecord = (value: unknown): boolean => typeof value === "object" && value !== null && !Array.isArray(value)

const jsonLines = (name: string, settings: Settings): FileProcessor => {
  const tally = new Tally(name, settings)
  const state = once(name)
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true })
  const lenient = new TextDecoder("utf-8", { ignoreBOM: true })
  // Enough bytes to show `maxCorruptRecordLength` characters of an over-long line.
  const prefixBytes = settings.maxCorruptRecordLength * 4
  let bytes = 0
  let firstLine = true
  let sawContent = false
  // The line that began in an earlier chunk; while `overflow`, only its first bytes.
  let pending = new Uint8Array(0)
  let pendingLength = 0
  let overflow = false

  const line = (text: string): void => {
    if (firstLine) {
      firstLine = false
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1)
    }
    if (text.charCodeAt(text.length - 1) === CR) text = text.slice(0, -1)
    let i = 0
    while (i < text.length) {
      const c = text.charCodeAt(i)
      if (c !== 0x20 && c !== 0x09 && c !== CR) break
      i++
    }
    if (i === text.length) return
    sawContent = true
    // Anything but an object fails anyway: skip parsing long arrays or strings.
    if (text.charCodeAt(i) !== 0x7b) return tally.corrupt(text)
    try {
      if (isJsonRecord(JSON.parse(text))) tally.good()
      else tally.corrupt(text)
    } catch {
      tally.corrupt(text)
    }
  }

  const overlong = (prefix: Uint8Array): void => {
    firstLine = false
    sawContent = true
    tally.corrupt(lenient.decode(prefix.subarray(0, prefixBytes)))
  }

  const lineBytes = (line_: Uint8Array): void => {
    if (line_.length > settings.maxRecordBytes) return overlong(line_)
    let text: string
    try {
      text = strict.decode(line_)
    } catch {
      // Not UTF-8: it cannot be a record, but show what it holds.
      firstLine = false
      sawContent = true
      return tally.corrupt(lenient.decode(line_))
    }
    line(text)
  }

  /** Whole lines: `region` holds no newline at its end, one between lines. */
  const lines = (region: Uint8Array): void => {
    if (region.length <= settings.maxRecordBytes) {
      // One decode for many lines is much faster than one per line; a byte 0x0A is always a
      // newline in UTF-8, so the split matches the byte lines.
      let text: string | undefined
      try {
        text = strict.decode(region)
      } catch {
        text = undefined
      }
      if (text !== undefined) {
        for (const each of text.split("\n")) line(each)
        return
      }
    }
    let start = 0
    while (true) {
      const end = region.indexOf(LF, start)
      if (end === -1) return lineBytes(region.subarray(start))
      lineBytes(region.subarray(start, end))
      start = end + 1
    }
  }

  const keep = (part: Uint8Array): void => {
    if (part.length === 0) return
    if (overflow) {
      if (pendingLength < prefixBytes) {
        const n = Math.min(part.length, prefixBytes - pendingLength)
        pending.set(part.subarray(0, n), pendingLength)
        pendingLength += n
      }
      return
    }
    const needed = pendingLength + part.length
    if (needed > settings.maxRecordBytes) {
      // Too long to be a record: keep only what the row error shows, skip to the next newline.
      overflow = true
      if (pending.length < prefixBytes) {
        const next = new Uint8Array(prefixBytes)
        next.set(pending.subarray(0, pendingLength))
        pending = next
      }
      pendingLength = Math.min(pendingLength, prefixBytes)
      return keep(part)
    }
    if (needed > pending.length) {
      const next = new Uint8Array(Math.min(settings.maxRecordBytes, Math.max(needed, pending.length * 2, 256)))
      next.set(pending.subarray(0, pendingLength))
      pending = next
    }
    pending.set(part, pendingLength)
    pendingLength = needed
  }

  const endPending = (): void => {
    if (overflow) overlong(pending.subarray(0, pendingLength))
    else lineBytes(pending.subarray(0, pendingLength))
    overflow = false
    pendingLength = 0
    // One long line must not pin its buffer for the rest of the file.
    if (pending.length > 64 * 1024) pending = new Uint8Array(0)
  }

  return {
    push: (chunk) => {
      state.check()
      bytes += chunk.length
      const last = chunk.lastIndexOf(LF)
      if (last === -1) return keep(chunk)
      let start = 0
      if (pendingLength > 0 || overflow) {
        const first = chunk.indexOf(LF)
        keep(chunk.subarray(0, first))
        endPending()
        start = first + 1
      }
      if (start <= last) lines(chunk.subarray(start, last))
      keep(chunk.subarray(last + 1))
    },
    finish: () => {
      state.finish()
      if (pendingLength > 0 || overflow) endPending()
      return sawContent ? tally.result(bytes) : tally.result(bytes, emptyFile(name))
    },
    retainedBytes: () => pending.length
  }
}

// --- JSON, the whole file is one value -------------------------------------------------------

const jsonDocument = (name: string, settings: Settings): FileProcessor => {
  const tally = new Tally(name, settings)
  const state = once(name)
  const prefixBytes = settings.maxCorruptRecordLength * 4
  let bytes = 0
  let held = 0
  let oversized = false
  let chunks: Array<Uint8Array> = []

  return {
    push: (chunk) => {
      state.check()
      bytes += chunk.length
      if (chunk.length === 0) return
      if (!oversized && held + chunk.length > settings.maxDocumentBytes) {
        // Keep only what the row error shows.
        oversized = true
        const prefix = concat(chunks, Math.min(held, prefixBytes))
        chunks = [prefix]
        held = prefix.length
      }
      if (oversized) {
        if (held >= prefixBytes) return
        chunk = chunk.subarray(0, prefixBytes - held)
      }
      chunks.push(chunk.slice())
      held += chunk.length
    },
    finish: () => {
      state.finish()
      const all = concat(chunks, held)
      chunks = []
      held = 0
      if (oversized) {
        tally.corrupt(new TextDecoder().decode(all))
        return tally.result(bytes)
      }
      let text: string
      try {
        text = new TextDecoder("utf-8", { fatal: true }).decode(all)
      } catch {
        tally.corrupt(new TextDecoder().decode(all.subarray(0, prefixBytes)))
        return tally.result(bytes)
      }
      if (text.trim() === "") return tally.result(bytes, emptyFile(name))
      let value: unknown
      try {
        value = JSON.parse(text)
      } catch {
        tally.corrupt(text)
        return tally.result(bytes)
      }
      if (Array.isArray(value)) {
        for (const element of value) {
          if (isJsonRecord(element)) tally.good()
          else tally.corrupt(JSON.stringify(element) ?? String(element))
        }
      } else if (isJsonRecord(value)) {
        tally.good()
      } else {
        tally.corrupt(text)
      }
      return tally.result(bytes)
    },
    retainedBytes: () => held
  }
}

const concat = (parts: ReadonlyArray<Uint8Array>, length: number): Uint8Array => {
  const out = new Uint8Array(length)
  let offset = 0
  for (const part of parts) {
    if (offset >= length) break
    const n = Math.min(part.length, length - offset)
    out.set(n === part.length ? part : part.subarray(0, n), offset)
    offset += n
  }
  return out
}

// --- CSV -------------------------------------------------------------------------------------

const Csv = {
  FieldStart: 0,
  Unquoted: 1,
  Quoted: 2,
  /** A quote inside a quoted field: its end, or the first half of `""`. */
  QuoteInQuoted: 3,
  /** The escape character inside a quoted field (when it is not the quote). */
  Escaped: 4
} as const

const csvCharacter = (value: string | undefined, fallback: string): number => {
  if (value === undefined) return fallback.charCodeAt(0)
  if (value === "") return -1
  if (value === "\\t") return 0x09
  return value.charCodeAt(0)
}

const csv = (name: string, format: InputFormat, settings: Settings): FileProcessor => {
  const tally = new Tally(name, settings)
  const state = once(name)
  const delimiter = csvCharacter(format.delimiter === "" ? undefined : format.delimiter, ",")
  const quote = csvCharacter(format.quote, "\"")
  const escape = format.escape === undefined || format.escape === "" ? quote : csvCharacter(format.escape, "\\")
  const header = typeof format.header === "string" ? toBoolean(format.header) ?? true : format.header ?? true
  // Streaming mode keeps a character split across chunks whole, and drops a leading BOM.
  const decoder = new TextDecoder("utf-8")
  const rawLimit = settings.maxCorruptRecordLength
  let bytes = 0
  let sawContent = false
  let columns = -1
  // The row being read: only its field count and first characters, never the whole row.
  let mode: number = Csv.FieldStart
  let fields = 1
  let raw = ""
  let nonBlank = false

  const keepRaw = (text: string, from: number, to: number): void => {
    if (raw.length < rawLimit && to > from) raw += text.slice(from, Math.min(to, from + rawLimit - raw.length))
  }

  const endRow = (corrupt: boolean): void => {
    if (nonBlank) {
      sawContent = true
      if (corrupt) tally.corrupt(raw)
      else if (columns < 0) {
        columns = fields
        if (!header) tally.good()
      } else if (fields === columns) tally.good()
      else tally.corrupt(raw)
    }
    mode = Csv.FieldStart
    fields = 1
    raw = ""
    nonBlank = false
  }

  const read = (text: string): void => {
    let rowStart = 0
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i)
      switch (mode) {
        case Csv.Quoted:
          if (c === escape && escape !== quote) mode = Csv.Escaped
          else if (c === quote) mode = Csv.QuoteInQuoted
          continue
        case Csv.Escaped:
          mode = Csv.Quoted
          continue
        case Csv.QuoteInQuoted:
          if (c === quote) {
            mode = Csv.Quoted
            continue
          }
          // Text after a closing quote: read on as plain text, as lenient CSV readers do.
          mode = Csv.Unquoted
      }
      if (c === delimiter) {
        fields++
        nonBlank = true
        mode = Csv.FieldStart
      } else if (c === LF || c === CR) {
        // The LF of a CRLF then ends an empty row, which is skipped like any blank line.
        keepRaw(text, rowStart, i)
        endRow(false)
        rowStart = i + 1
      } else if (c === quote && mode === Csv.FieldStart) {
        mode = Csv.Quoted
        nonBlank = true
      } else {
        mode = Csv.Unquoted
        if (c !== 0x20 && c !== 0x09) nonBlank = true
      }
    }
    keepRaw(text, rowStart, text.length)
  }

  return {
    push: (chunk) => {
      state.check()
      bytes += chunk.length
      read(decoder.decode(chunk, { stream: true }))
    },
    finish: () => {
      state.finish()
      read(decoder.decode())
      // A quote still open at the end swallowed the rest of the file: that row cannot be read.
      endRow(mode === Csv.Quoted || mode === Csv.Escaped)
      return sawContent ? tally.result(bytes) : tally.result(bytes, emptyFile(name))
    },
    retainedBytes: () => raw.length
  }
}

// --- Parquet ---------------------------------------------------------------------------------

/** The last `capacity` bytes pushed, in a ring that grows only as far as it is needed. */
class TailBuffer {
  private buffer = new Uint8Array(0)
  private start = 0
  private length = 0
  constructor(private readonly capacity: number) {}

  get allocated(): number {
    return this.buffer.length
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return
    if (chunk.length >= this.capacity) {
      if (this.buffer.length < this.capacity) this.buffer = new Uint8Array(this.capacity)
      this.buffer.set(chunk.subarray(chunk.length - this.capacity))
      this.start = 0
      this.length = this.capacity
      return
    }
    const total = this.length + chunk.length
    if (total > this.buffer.length && this.buffer.length < this.capacity) {
      const next = new Uint8Array(Math.min(this.capacity, Math.max(total, this.buffer.length * 2, 64)))
      next.set(this.bytes())
      this.buffer = next
      this.start = 0
    }
    const size = this.buffer.length
    let write = (this.start + this.length) % size
    let offset = 0
    while (offset < chunk.length) {
      const n = Math.min(chunk.length - offset, size - write)
      this.buffer.set(chunk.subarray(offset, offset + n), write)
      offset += n
      write = (write + n) % size
    }
    if (total > size) {
      this.start = write
      this.length = size
    } else {
      this.length = total
    }
  }

  bytes(): Uint8Array {
    const end = this.start + this.length
    if (end <= this.buffer.length) return this.buffer.subarray(this.start, end)
    const out = new Uint8Array(this.length)
    out.set(this.buffer.subarray(this.start))
    out.set(this.buffer.subarray(0, end - this.buffer.length), this.buffer.length - this.start)
    return out
  }
}

const isMagic = (bytes: Uint8Array, at: number): boolean =>
  bytes[at] === 0x50 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x52 && bytes[at + 3] === 0x31

const parquet = (name: string, settings: Settings): FileProcessor => {
  const tally = new Tally(name, settings)
  const state = once(name)
  const head = new Uint8Array(4)
  let headLength = 0
  let bytes = 0
  // The footer, its 4-byte length and the closing magic.
  const tail = new TailBuffer(settings.maxParquetFooterBytes + 8)

  const unreadable = (why: string): FileResult =>
    tally.result(bytes, {
      code: "INGEST-1401-400",
      description: `The file ${name} is not a valid Parquet file: ${why}. Fix the file and upload it again.`
    })

  return {
    push: (chunk) => {
      state.check()
      bytes += chunk.length
      if (headLength < 4) {
        const n = Math.min(4 - headLength, chunk.length)
        head.set(chunk.subarray(0, n), headLength)
        headLength += n
      }
      tail.push(chunk)
    },
    finish: () => {
      state.finish()
      if (bytes === 0) return tally.result(bytes, emptyFile(name))
      if (bytes < 12) return unreadable("it is shorter than the 12 bytes of the smallest Parquet file")
      if (!isMagic(head, 0)) return unreadable("it does not start with the magic PAR1")
      const end = tail.bytes()
      if (!isMagic(end, end.length - 4)) return unreadable("it does not end with the magic PAR1")
      const at = end.length - 8
      const footerLength = (end[at]! | (end[at + 1]! << 8) | (end[at + 2]! << 16) | (end[at + 3]! << 24)) >>> 0
      if (footerLength === 0 || footerLength > bytes - 12) {
        return unreadable(`its footer length (${footerLength} bytes) does not fit in the file`)
      }
      if (footerLength > at) {
        return unreadable(
          `its footer (${footerLength} bytes) is larger than the ${settings.maxParquetFooterBytes} bytes the emulator reads`
        )
      }
      let rows: number
      try {
        rows = numRows(end.subarray(at - footerLength, at))
      } catch (error) {
        return unreadable(`its footer cannot be read (${error instanceof Error ? error.message : String(error)})`)
      }
      tally.records = rows
      return tally.result(bytes)
    },
    retainedBytes: () => head.length + tail.allocated
  }
}

/**
 * Reads `num_rows` (field 3, i64) from a FileMetaData in the Thrift compact protocol, skipping
 * whatever precedes it. Throws when the bytes are not such a struct.
 */
const numRows = (footer: Uint8Array): number => {
  const reader = new CompactReader(footer)
  let lastId = 0
  while (true) {
    const header = reader.byte()
    if (header === 0) throw new Error("FileMetaData has no num_rows")
    const type = header & 0x0f
    const delta = header >> 4
    const id = delta === 0 ? reader.zigzag(reader.varint()) : lastId + delta
    lastId = id
    if (id === 3) {
      if (type !== 6) throw new Error(`num_rows has compact type ${type}, not i64`)
      const rows = reader.zigzag(reader.varint())
      if (rows < 0) throw new Error(`num_rows is negative (${rows})`)
      return rows
    }
    reader.skip(type, 0, true)
  }
}

class CompactReader {
  private position = 0
  constructor(private readonly bytes: Uint8Array) {}

  byte(): number {
    const value = this.bytes[this.position]
    if (value === undefined) throw new Error("the footer ends in the middle of a value")
    this.position++
    return value
  }

  /** An unsigned varint of up to 64 bits. */
  varint(): bigint {
    let result = 0n
    for (let shift = 0n; shift < 70n; shift += 7n) {
      const b = this.byte()
      result |= BigInt(b & 0x7f) << shift
      if ((b & 0x80) === 0) return result
    }
    throw new Error("a varint is longer than 10 bytes")
  }

  zigzag(value: bigint): number {
    return Number((value >> 1n) ^ -(value & 1n))
  }

  length(): number {
    const value = this.varint()
    if (value > BigInt(this.bytes.length - this.position)) throw new Error("a length runs past the footer")
    return Number(value)
  }

  /** Skips one value of a compact type; a boolean field carries its value in the type itself. */
  skip(type: number, depth: number, inField: boolean): void {
    if (depth > 64) throw new Error("values are nested too deeply")
    switch (type) {
      case 1:
      case 2:
        if (!inField) this.byte()
        return
      case 3:
        this.byte()
        return
      case 4:
      case 5:
      case 6:
        this.varint()
        return
      case 7:
        this.advance(8)
        return
      case 8:
        this.advance(this.length())
        return
      case 9:
      case 10: {
        const header = this.byte()
        const size = header >> 4 === 15 ? this.length() : header >> 4
        for (let i = 0; i < size; i++) this.skip(header & 0x0f, depth + 1, false)
        return
      }
      case 11: {
        const size = this.length()
        if (size === 0) return
        const types = this.byte()
        for (let i = 0; i < size; i++) {
          this.skip(types >> 4, depth + 1, false)
          this.skip(types & 0x0f, depth + 1, false)
        }
        return
      }
      case 12:
        while (true) {
          const header = this.byte()
          if (header === 0) return
          if (header >> 4 === 0) this.varint()
          this.skip(header & 0x0f, depth + 1, true)
        }
      default:
        throw new Error(`unknown compact type ${type}`)
    }
  }

  private advance(n: number): void {
    if (this.position + n > this.bytes.length) throw new Error("a value runs past the footer")
    this.position += n
  }
}
