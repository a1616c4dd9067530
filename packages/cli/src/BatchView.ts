/**
 * How batches and their diagnostics are shown: a detail block, a row of `aep batch list`, the
 * row errors of `aep batch errors`, and the JSON that `--json` prints (the batch as the Catalog
 * describes it, timestamps in epoch milliseconds as AEP sends them).
 *
 * @since 0.1.0
 */
import * as Batch from "@effect-aep/core/Batch"
import type * as Diagnostics from "@effect-aep/core/Diagnostics"
import * as DateTime from "effect/DateTime"
import * as Schema from "effect/Schema"
import * as Table from "./Table.js"

const encodeBatch = Schema.encodeSync(Batch.Batch)

/**
 * The batch as JSON-ready data, in AEP's own shape.
 *
 * @since 0.1.0
 * @category json
 */
export const toJson = (batch: Batch.Batch): unknown => encodeBatch(batch)

/**
 * The status, coloured when `color`: green for success, red for failure, yellow on the way.
 *
 * @since 0.1.0
 * @category formatting
 */
export const status = (value: Batch.Status, color: boolean): string =>
  Batch.isSuccess(value)
    ? Table.style(color, "green", value)
    : Batch.isTerminal(value)
    ? Table.style(color, "red", value)
    : Table.style(color, "yellow", value)

const tagText = (value: unknown): string => (Array.isArray(value) ? value.join(",") : String(value))

/**
 * Every field a person looks for, one per line. Fields AEP did not send are left out.
 *
 * @since 0.1.0
 * @category formatting
 */
export const details = (batch: Batch.Batch, color = false): string => {
  const metrics = batch.metrics
  const took = batch.started !== undefined && batch.completed !== undefined
    ? Table.duration(DateTime.toEpochMillis(batch.completed) - DateTime.toEpochMillis(batch.started))
    : undefined
  const records = batch.recordCount ?? metrics?.outputRecordCount
  const failed = batch.failedRecordCount ?? metrics?.failedRecordCount
  const read = metrics?.inputRecordCount
  const size = metrics?.inputByteSize ?? batch.size
  const tags = Object.entries(batch.tags ?? {}).map(([name, value]) => `${name}=${tagText(value)}`)
  const lines = Table.keyValue([
    ["batch", batch.id],
    ["status", status(batch.status, color)],
    ["dataset", batch.datasetId],
    ["format", batch.inputFormat?.format === undefined
      ? undefined
      : `${batch.inputFormat.format}${batch.inputFormat.isMultiLineJson === true ? " (multi-line)" : ""}`],
    ["external id", batch.externalId === undefined || batch.externalId === "" ? undefined : batch.externalId],
    ["created", Table.time(batch.created)],
    ["started", Table.time(batch.started)],
    ["completed", Table.time(batch.completed)],
    ["took", took],
    ["files", metrics?.inputFileCount === undefined ? undefined : Table.count(metrics.inputFileCount)],
    ["bytes", size === undefined ? undefined : `${Table.bytes(size)}${size >= 1024 ? ` (${Table.count(size)} bytes)` : ""}`],
    ["rows read", read === undefined ? undefined : Table.count(read)],
    ["records", records === undefined ? undefined : Table.count(records)],
    ["failed rows", failed === undefined ? undefined : Table.count(failed)],
    ["tags", tags.length === 0 ? undefined : tags.join(" ")]
  ])
  const errors = batch.errors ?? []
  if (errors.length === 0) return lines
  return [
    lines,
    "errors:",
    ...errors.map((error) =>
      `  ${error.code}${error.description === undefined ? "" : `  ${error.description}`}${
        error.recordCount === undefined ? "" : ` (${Table.count(error.recordCount)} row${error.recordCount === 1 ? "" : "s"})`
      }`
    )
  ].join("\n")
}

/**
 * The columns of `aep batch list`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const listHeaders = ["batch", "status", "dataset", "created", "records", "failed", "external id"] as const

/**
 * One row of `aep batch list`.
 *
 * @since 0.1.0
 * @category formatting
 */
export const listRow = (batch: Batch.Batch, color = false): ReadonlyArray<string> => [
  batch.id,
  status(batch.status, color),
  batch.datasetId ?? "-",
  Table.time(batch.created) ?? "-",
  batch.recordCount === undefined ? "-" : Table.count(batch.recordCount),
  batch.failedRecordCount === undefined ? "-" : Table.count(batch.failedRecordCount),
  batch.externalId === undefined || batch.externalId === "" ? "-" : batch.externalId
]

/**
 * `aep batch errors`: the batch's own errors, the files that failed and every row error, with the
 * raw record shortened to fit a line.
 *
 * @since 0.1.0
 * @category formatting
 */
export const diagnostics = (batch: Batch.Batch, found: Diagnostics.Diagnostics, color = false): string => {
  const sections: Array<string> = [
    Table.keyValue([
      ["batch", batch.id],
      ["status", status(batch.status, color)],
      ["failed rows", (batch.failedRecordCount ?? batch.metrics?.failedRecordCount) === undefined
        ? undefined
        : Table.count(batch.failedRecordCount ?? batch.metrics?.failedRecordCount ?? 0)]
    ])
  ]
  const errors = batch.errors ?? []
  sections.push(
    errors.length === 0
      ? "Batch errors: none"
      : `Batch errors:\n${
        Table.table(
          ["code", "rows", "description"],
          errors.map((error) => [
            error.code,
            error.recordCount === undefined ? "-" : Table.count(error.recordCount),
            error.description ?? ""
          ])
        )
      }`
  )
  sections.push(
    found.failedFiles.length === 0
      ? "Failed files: none"
      : `Failed files:\n${
        Table.table(
          ["file", "size"],
          found.failedFiles.map((file) => [file.name, file.length === undefined ? "-" : Table.bytes(file.length)])
        )
      }`
  )
  sections.push(
    found.rowErrors.length === 0
      ? "Row errors: none (kept only for batches created with --diagnostics)"
      : `Row errors (${Table.count(found.rowErrors.length)}):\n${
        Table.table(
          ["file", "code", "message", "record"],
          found.rowErrors.flatMap((row) =>
            (row.errors.length === 0 ? [{ code: "-", message: "" }] : row.errors).map((error) => [
              row.file ?? "-",
              error.code,
              Table.truncate(error.message, 60),
              Table.truncate(row.record, 50)
            ])
          )
        )
      }`
  )
  return sections.join("\n\n")
}

/**
 * `aep batch errors --json`: the batch's errors, failed files and row errors.
 *
 * @since 0.1.0
 * @category json
 */
export const diagnosticsJson = (batch: Batch.Batch, found: Diagnostics.Diagnostics): unknown => ({
  batchId: batch.id,
  status: batch.status,
  errors: (batch.errors ?? []).map((error) => Schema.encodeSync(Batch.BatchError)(error)),
  failedFiles: found.failedFiles.map((file) => ({ name: file.name, ...(file.length === undefined ? {} : { length: file.length }) })),
  rowErrors: found.rowErrors.map((row) => ({
    ...(row.file === undefined ? {} : { file: row.file }),
    record: row.record,
    errors: row.errors
  }))
})
