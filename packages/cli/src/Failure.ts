/**
 * How a command that did not succeed ends: which exit code, and what it says on standard error
 * (one readable message with a hint, or with `--json` one JSON object). Every error the library
 * raises is already safe to show (no token, key or secret in any of them).
 *
 * @since 0.1.0
 */
import * as ValidationError from "@effect/cli/ValidationError"
import * as AepConfig from "@effect-aep/core/AepConfig"
import type { AepAuthError, AepDecodeError, AepHttpError } from "@effect-aep/core/AepError"
import { BatchFailed } from "@effect-aep/core/BatchFailed"
import * as PlatformError from "@effect/platform/Error"
import * as Cause from "effect/Cause"
import * as ConfigError from "effect/ConfigError"
import * as Data from "effect/Data"
import * as Option from "effect/Option"
import * as ExitCode from "./ExitCode.js"

/**
 * The command line was understood but cannot be carried out as given (a missing `--dataset`, a
 * file listed twice, …). Exits `ExitCode.usage`.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/**
 * What a failure amounts to.
 *
 * @since 0.1.0
 * @category models
 */
export interface Report {
  readonly exitCode: number
  /** For people; empty when the message was already printed (usage errors of the parser). */
  readonly message: string
  /** For `--json`: the error as data. */
  readonly json: Record<string, unknown>
}

const hasTag = (u: unknown): u is { readonly _tag: string } =>
  typeof u === "object" && u !== null && "_tag" in u && typeof (u as { _tag: unknown })._tag === "string"

const httpFields = (error: AepHttpError | AepDecodeError) => ({
  operation: error.operation,
  status: error.status,
  ...(error._tag === "AepHttpError" && error.errorCode !== undefined ? { errorCode: error.errorCode } : {}),
  ...(error.requestId === undefined ? {} : { requestId: error.requestId }),
  method: error.method,
  url: error.url
})

const configHint = "Set the AEP_* variables, or choose a profile with --profile (see 'aep config --help'). " +
  "'aep emulator' starts a local AEP and prints values to try."

/**
 * Classifies one expected error.
 *
 * @since 0.1.0
 * @category classification
 */
export const fromError = (error: unknown): Report => {
  if (ValidationError.isValidationError(error)) {
    return { exitCode: ExitCode.usage, message: "", json: { _tag: "UsageError", message: "invalid command line" } }
  }
  if (ConfigError.isConfigError(error)) {
    const lines = AepConfig.describeError(error)
    return {
      exitCode: ExitCode.usage,
      message: `The AEP configuration is incomplete or invalid:\n${
        lines.split("\n").map((line) => `  ${line}`).join("\n")
      }\n${configHint}`,
      json: { _tag: "ConfigError", message: lines }
    }
  }
  if (PlatformError.isPlatformError(error)) {
    const message = error._tag === "SystemError" && error.reason === "NotFound"
      ? `no such file: ${String(error.pathOrDescriptor ?? "")}`
      : error.message
    return { exitCode: ExitCode.usage, message, json: { _tag: "FileError", message } }
  }
  if (hasTag(error)) {
    const message = "message" in error && typeof error.message === "string" ? error.message : error._tag
    switch (error._tag) {
      case "UsageError":
      case "ProfileError":
      case "AepValidationError":
        return { exitCode: ExitCode.usage, message, json: { _tag: error._tag, message } }
      case "AepHttpError":
      case "AepDecodeError":
        return {
          exitCode: ExitCode.aepError,
          message,
          json: { _tag: error._tag, message, ...httpFields(error as AepHttpError | AepDecodeError) }
        }
      case "AepAuthError": {
        const auth = error as AepAuthError
        return {
          exitCode: auth.error === "ims_unreachable" ? ExitCode.network : ExitCode.aepError,
          message,
          json: { _tag: error._tag, message, error: auth.error, ...(auth.status === undefined ? {} : { status: auth.status }) }
        }
      }
      case "AepTransportError":
        return { exitCode: ExitCode.network, message, json: { _tag: error._tag, message } }
      case "ServeError":
        return {
          exitCode: ExitCode.network,
          message: `could not listen: ${message} (is the port taken? try --port 0)`,
          json: { _tag: error._tag, message }
        }
      case "BatchFailed": {
        const failed = error as BatchFailed
        return {
          exitCode: ExitCode.batchFailed,
          message: `${message}\nSee why: aep batch errors ${failed.batchId}`,
          json: { _tag: error._tag, message, batchId: failed.batchId, status: failed.status }
        }
      }
      case "AepTimeoutError":
        return { exitCode: ExitCode.timeout, message, json: { _tag: error._tag, message } }
    }
  }
  return {
    exitCode: ExitCode.internal,
    message: `internal error: ${error instanceof Error ? error.message : String(error)}`,
    json: { _tag: "InternalError", message: String(error) }
  }
}

/**
 * Classifies a whole failure: an interruption, a defect or the first expected error.
 *
 * @since 0.1.0
 * @category classification
 */
export const fromCause = (cause: Cause.Cause<unknown>): Report => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return fromError(failure.value)
  if (Cause.isInterruptedOnly(cause)) {
    return { exitCode: ExitCode.interrupted, message: "interrupted", json: { _tag: "Interrupted", message: "interrupted" } }
  }
  const defect = Option.getOrUndefined(Cause.dieOption(cause))
  return {
    exitCode: ExitCode.internal,
    message: `internal error (a bug in aep, please report it): ${Cause.pretty(cause)}`,
    json: { _tag: "InternalError", message: defect instanceof Error ? defect.message : String(defect) }
  }
}

/**
 * Whether `u` is a batch that AEP failed.
 *
 * @since 0.1.0
 * @category classification
 */
export const isBatchFailed = (u: unknown): u is BatchFailed => u instanceof BatchFailed
