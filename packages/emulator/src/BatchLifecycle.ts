/**
 * How a batch moves once its files are in: COMPLETE puts it in `staging`, half the processing
 * delay later it is `processing` (with `started`), and after the whole delay its files' results
 * decide `success` or `failed` (with `completed`, metrics and errors). REVERT makes it `inactive`,
 * then `deleted`.
 *
 * The moves are computed from Effect's `Clock` whenever the batch is looked at, not by timers:
 * the emulator holds no fibers per batch, and `TestClock.adjust` steps batches deterministically.
 *
 * @since 0.1.0
 */
import type * as EmulatorState from "./EmulatorState.js"
import * as Processing from "./Processing.js"

/**
 * Brings a batch's record up to `now`.
 *
 * @since 0.1.0
 * @category lifecycle
 */
export const advance = (state: EmulatorState.EmulatorState, entry: EmulatorState.BatchEntry, now: number): void => {
  const record = entry.record
  const delay = state.processingDelayMillis
  if (entry.revertAt !== undefined) {
    if (record.status === "inactive" && now >= entry.revertAt + delay) {
      record.status = "deleted"
      record.updated = entry.revertAt + delay
    }
    return
  }
  if (entry.completeAt === undefined || (record.status !== "staging" && record.status !== "processing")) return
  const startedAt = entry.completeAt + Math.floor(delay / 2)
  if (now >= startedAt && record.status === "staging") {
    record.status = "processing"
    record.started = startedAt
    record.updated = startedAt
  }
  const finishedAt = entry.completeAt + delay
  if (now >= finishedAt) finish(entry, finishedAt)
}

const finish = (entry: EmulatorState.BatchEntry, at: number): void => {
  const record = entry.record
  const results = [...entry.files.values()].flatMap((file) => (file.result === undefined ? [] : [file.result]))
  const outcome = Processing.decide(results, {
    ...(record.partialIngestionPercentage === undefined ? {} : { partialIngestionPercentage: record.partialIngestionPercentage })
  })
  record.status = outcome.status
  record.started ??= at
  record.completed = at
  record.updated = at
  record.recordCount = outcome.recordCount
  record.failedRecordCount = outcome.failedRecordCount
  record.size = outcome.metrics.inputByteSize
  record.metrics = { ...outcome.metrics }
  if (outcome.errors.length > 0) record.errors = outcome.errors.map((error) => ({ ...error }))
  entry.rowErrors = results.flatMap((result) => result.rowErrors)
  entry.failedFiles = results
    .filter((result) => outcome.status === "failed" || result.failedRecords > 0 || result.fileError !== undefined)
    .map((result) => result.name)
}
