/**
 * A batch reached a final status other than success: `failed`, `aborted`, `abandoned`, or it
 * was reverted. Carries the batch as AEP last described it (errors, metrics), and can fetch the
 * diagnostics on demand.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import type * as AepClient from "./AepClient.js"
import type { AepError } from "./AepError.js"
import * as Batch from "./Batch.js"
import * as Diagnostics from "./Diagnostics.js"

/**
 * @since 0.1.0
 * @category errors
 */
export class BatchFailed extends Schema.TaggedError<BatchFailed>("@effect-aep/core/BatchFailed")("BatchFailed", {
  batch: Batch.Batch
}) {
  /** The batch's id. */
  get batchId(): string {
    return this.batch.id
  }

  /** The final status: `failed`, `aborted`, `abandoned`, … */
  get status(): Batch.Status {
    return this.batch.status
  }

  /** The errors AEP recorded on the batch. */
  get errors(): ReadonlyArray<Batch.BatchError> {
    return this.batch.errors ?? []
  }

  /** Failed files and row errors, read from the Data Access API when asked for. */
  get diagnostics(): Effect.Effect<Diagnostics.Diagnostics, AepError, AepClient.AepClient> {
    return Diagnostics.get(this.batch.id)
  }

  override get message(): string {
    const errors = this.errors.map((error) => `${error.code}${error.description === undefined ? "" : ` ${error.description}`}`)
    const metrics = this.batch.metrics
    const rows = metrics?.inputRecordCount === undefined
      ? ""
      : ` (${metrics.failedRecordCount ?? 0} of ${metrics.inputRecordCount} rows failed)`
    return `batch ${this.batch.id} ended ${this.batch.status}${rows}${errors.length === 0 ? "" : `: ${errors.join("; ")}`}`
  }
}
