/**
 * The typed errors of every AEP operation. Each one carries what a person needs to act on it
 * (status, AEP error code, request id, the field that was wrong) and never a header value,
 * token or secret: they are safe to log, serialise and attach to spans.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"

/**
 * One thing that was wrong with a value: where (a readable path such as `inputFormat.format`)
 * and what.
 *
 * @since 0.1.0
 * @category models
 */
export class Issue extends Schema.Class<Issue>("@effect-aep/core/Issue")({
  path: Schema.String,
  message: Schema.String
}) {}

const describeIssues = (issues: ReadonlyArray<Issue>): string =>
  issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`)).join("; ")

/**
 * The input of an operation was invalid. Raised before any I/O: nothing was sent.
 *
 * @since 0.1.0
 * @category errors
 */
export class AepValidationError extends Schema.TaggedError<AepValidationError>("@effect-aep/core/AepValidationError")(
  "AepValidationError",
  {
    /** The operation that refused its input, e.g. `Batches.create`. */
    operation: Schema.String,
    /** The first field that was wrong, as a dotted path (empty when the whole value was). */
    field: Schema.String,
    issues: Schema.Array(Issue)
  }
) {
  override get message(): string {
    return `${this.operation}: invalid input, nothing was sent: ${describeIssues(this.issues)}`
  }
}

/**
 * AEP answered with a status outside 2xx. `errorCode` and `detail` come from the body, in
 * either of the two forms AEP uses: the gateway's `{ error_code, message }` and the services'
 * problem form `{ type, status, title, detail, report }`. A body in neither form is kept as
 * `detail`, shortened.
 *
 * @since 0.1.0
 * @category errors
 */
export class AepHttpError extends Schema.TaggedError<AepHttpError>("@effect-aep/core/AepHttpError")(
  "AepHttpError",
  {
    operation: Schema.String,
    status: Schema.Number,
    /** The AEP error code (`403010`, `INGEST-1212-400`, …) when the body carries one. */
    errorCode: Schema.optional(Schema.String),
    /** The problem title (`BadRequestError`, …) when the body is in the services' form. */
    title: Schema.optional(Schema.String),
    /** What AEP said went wrong. */
    detail: Schema.String,
    /** The `x-request-id` AEP answered with: quote it to Adobe support. */
    requestId: Schema.optional(Schema.String),
    /** How long AEP asked to wait before trying again (`Retry-After`), in milliseconds. */
    retryAfterMillis: Schema.optional(Schema.Number),
    /** How many attempts were made (more than 1 when the request was retried). */
    attempts: Schema.optional(Schema.Number),
    method: Schema.String,
    url: Schema.String
  }
) {
  override get message(): string {
    const code = this.errorCode === undefined ? "" : ` ${this.errorCode}`
    const request = this.requestId === undefined ? "" : ` (request id ${this.requestId})`
    const hint = hintFor(this.status, this.errorCode)
    return `${this.operation}: AEP answered ${this.status}${code} to ${this.method} ${this.url}: ${this.detail}${request}${
      hint === undefined ? "" : ` — ${hint}`
    }`
  }
}

const hintFor = (status: number, errorCode: string | undefined): string | undefined => {
  switch (errorCode) {
    case "403010":
      return "no access token was sent: configure AEP_ACCESS_TOKEN or AEP_CLIENT_SECRET (or the access-token layer)"
    case "401013":
      return "the access token is invalid or expired: renew AEP_ACCESS_TOKEN " +
        "(a token from OAuth Server-to-Server was already renewed once and refused again)"
    case "403000":
      return "no API key was sent: configure AEP_API_KEY (the OAuth client id)"
    case "403003":
      return "the API key is not known: AEP_API_KEY must be the client id of the credential that issued the token"
    case "400003":
      return "a required header is missing: check AEP_ORG_ID"
    case "403025":
      return "the token is not entitled for this organization: check AEP_ORG_ID and the credential's product profiles"
    case "429050":
      return "throttled: slow down and retry later"
  }
  if (status === 404) return "check the ids in the request and the sandbox (AEP_SANDBOX_NAME)"
  if (status === 429) return "throttled: slow down and retry later"
  if (status >= 500) return "AEP failed: retry later, and quote the request id if it persists"
  return undefined
}

/**
 * AEP answered 2xx but the body is not what its contract documents. `issues` says where it did
 * not match.
 *
 * @since 0.1.0
 * @category errors
 */
export class AepDecodeError extends Schema.TaggedError<AepDecodeError>("@effect-aep/core/AepDecodeError")(
  "AepDecodeError",
  {
    operation: Schema.String,
    status: Schema.Number,
    /** What was expected, e.g. `Batch`. */
    expected: Schema.String,
    issues: Schema.Array(Issue),
    requestId: Schema.optional(Schema.String),
    method: Schema.String,
    url: Schema.String
  }
) {
  override get message(): string {
    const request = this.requestId === undefined ? "" : ` (request id ${this.requestId})`
    return `${this.operation}: AEP answered ${this.status} to ${this.method} ${this.url} but the body is not a ${this.expected}: ${
      describeIssues(this.issues)
    }${request}`
  }
}

/**
 * The request did not reach AEP or its answer did not arrive whole: DNS, connection refused or
 * reset, TLS, an aborted body. Whether AEP acted on the request is unknown.
 *
 * @since 0.1.0
 * @category errors
 */
export class AepTransportError extends Schema.TaggedError<AepTransportError>("@effect-aep/core/AepTransportError")(
  "AepTransportError",
  {
    operation: Schema.String,
    method: Schema.String,
    url: Schema.String,
    /** What failed, as the runtime described it. */
    description: Schema.String,
    /** How many attempts were made (more than 1 when the request was retried). */
    attempts: Schema.optional(Schema.Number)
  }
) {
  override get message(): string {
    return `${this.operation}: ${this.method} ${this.url} failed before AEP answered: ${this.description} — check the network and AEP_PLATFORM_URL`
  }
}

/**
 * No access token could be had: the identity provider (IMS) refused the credential or could not
 * be reached. Carries IMS's own `error` / `error_description`, never the secret.
 *
 * @since 0.1.0
 * @category errors
 */
export class AepAuthError extends Schema.TaggedError<AepAuthError>("@effect-aep/core/AepAuthError")(
  "AepAuthError",
  {
    /**
     * IMS's `error` field (`invalid_client`, `unauthorized_client`, `invalid_scope`, …), or
     * `ims_unreachable` when IMS could not be reached, `invalid_response` when it answered with
     * something that is neither a token nor an OAuth error.
     */
    error: Schema.String,
    errorDescription: Schema.optional(Schema.String),
    /** The HTTP status IMS answered with; absent when it was not reached. */
    status: Schema.optional(Schema.Number)
  }
) {
  override get message(): string {
    const status = this.status === undefined ? "" : ` (IMS answered ${this.status})`
    const description = this.errorDescription === undefined ? "" : `: ${this.errorDescription}`
    const hint = authHintFor(this.error)
    const then = hint === undefined ? "" : ` — ${hint}`
    return `could not get an AEP access token${status}: ${this.error}${description}${then}`
  }
}

const authHintFor = (error: string): string | undefined => {
  switch (error) {
    case "invalid_client":
      return "check AEP_CLIENT_ID (or AEP_API_KEY) and AEP_CLIENT_SECRET against the credential in the Developer Console"
    case "unauthorized_client":
      return "the credential may not use client credentials: it must be an OAuth Server-to-Server credential"
    case "invalid_scope":
      return "check AEP_SCOPES against the scopes the credential lists in the Developer Console"
    case "ims_unreachable":
      return "check the network and AEP_IMS_URL"
  }
  return undefined
}

/**
 * Every error an AEP operation can fail with, once its input was valid.
 *
 * @since 0.1.0
 * @category errors
 */
export type AepRequestError = AepHttpError | AepDecodeError | AepTransportError | AepAuthError

/**
 * Every error an AEP operation can fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type AepError = AepValidationError | AepRequestError

/**
 * A wait ran out of time: the batch had not reached a final status.
 *
 * @since 0.1.0
 * @category errors
 */
export class AepTimeoutError extends Schema.TaggedError<AepTimeoutError>("@effect-aep/core/AepTimeoutError")(
  "AepTimeoutError",
  {
    operation: Schema.String,
    batchId: Schema.String,
    /** How long was waited, in milliseconds. */
    waitedMillis: Schema.Number,
    /** The status last seen, if the batch was read at all. */
    lastStatus: Schema.optional(Schema.String)
  }
) {
  override get message(): string {
    const last = this.lastStatus === undefined ? "" : ` (last seen ${this.lastStatus})`
    return `${this.operation}: batch ${this.batchId} did not reach a final status within ${
      Math.round(this.waitedMillis / 1000)
    } s${last} — wait longer (timeout option) or check the batch in AEP`
  }
}
