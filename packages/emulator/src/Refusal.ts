/**
 * The answers the emulator gives instead of the happy path, in the two forms AEP uses: the
 * gateway's `{ error_code, message }` and the services' problem form `{ type, status, title,
 * detail }`. Handlers fail with a `Refusal`; the app turns it into the response.
 *
 * @since 0.1.0
 */
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Data from "effect/Data"

/**
 * An answer the emulator gives instead of the happy path: a gateway refusal or a service error.
 * Handlers fail with it; `make` turns it into the response.
 *
 * @since 0.1.0
 * @category errors
 */
export class Refusal extends Data.TaggedError("Refusal")<{
  readonly status: number
  readonly body: Record<string, unknown>
  readonly headers?: Record<string, string>
}> {}

/**
 * The gateway's form: `{ error_code, message }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const gatewayError = (
  status: number,
  errorCode: string,
  message: string,
  headers?: Record<string, string>
): Refusal => new Refusal({ status, body: { error_code: errorCode, message }, ...(headers === undefined ? {} : { headers }) })

const titles: Record<number, string> = {
  400: "BadRequestError",
  404: "NotFoundError",
  409: "ConflictError",
  413: "PayloadTooLargeError",
  414: "URITooLongError",
  415: "UnsupportedMediaTypeError",
  429: "TooManyRequestsError",
  500: "InternalServerError"
}

/**
 * The services' problem form: `{ type, status, title, detail }`.
 *
 * @since 0.1.0
 * @category errors
 */
export const serviceError = (status: number, detail: string): Refusal =>
  new Refusal({
    status,
    body: {
      type: `http://ns.adobe.com/aep/errors/emulator-${status}`,
      status,
      title: titles[status] ?? "Error",
      detail
    }
  })

/**
 * The HTTP response for a refusal.
 *
 * @since 0.1.0
 * @category errors
 */
export const respond = (refusal: Refusal): HttpServerResponse.HttpServerResponse =>
  HttpServerResponse.unsafeJson(refusal.body, { status: refusal.status, headers: refusal.headers ?? {} })
