/**
 * Adobe Experience Platform batch ingestion for Effect.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AccessToken from "./AccessToken.js"
/** @since 0.1.0 */
export * as AepClient from "./AepClient.js"
/** @since 0.1.0 */
export * as AepConfig from "./AepConfig.js"
/** @since 0.1.0 */
export * as AepError from "./AepError.js"
/** @since 0.1.0 */
export * as Batch from "./Batch.js"
/** @since 0.1.0 */
export * as BatchFailed from "./BatchFailed.js"
/** @since 0.1.0 */
export * as Batches from "./Batches.js"
/** @since 0.1.0 */
export * as ClientCredentials from "./ClientCredentials.js"
/** @since 0.1.0 */
export * as CreateBatchRequest from "./CreateBatchRequest.js"
/** @since 0.1.0 */
export * as Diagnostics from "./Diagnostics.js"
/** @since 0.1.0 */
export * as FilePath from "./FilePath.js"
/** @since 0.1.0 */
export * as Files from "./Files.js"
/** @since 0.1.0 */
export * as Ingest from "./Ingest.js"
/** @since 0.1.0 */
export * as RetryPolicy from "./RetryPolicy.js"

export {
  /** @since 0.1.0 */
  AepAuthError,
  /** @since 0.1.0 */
  AepDecodeError,
  /** @since 0.1.0 */
  AepHttpError,
  /** @since 0.1.0 */
  AepTimeoutError,
  /** @since 0.1.0 */
  AepTransportError,
  /** @since 0.1.0 */
  AepValidationError
} from "./AepError.js"
