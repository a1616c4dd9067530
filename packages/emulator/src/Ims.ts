/**
 * Adobe's identity service, as far as OAuth Server-to-Server needs it:
 * `POST /ims/token/v3` with a form body (`grant_type=client_credentials`, `client_id`,
 * `client_secret`, `scope`) answers `{ access_token, token_type, expires_in }`.
 *
 * @since 0.1.0
 */
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import type * as EmulatorState from "./EmulatorState.js"

const imsError = (status: number, error: string, description: string) =>
  HttpServerResponse.unsafeJson({ error, error_description: description }, { status })

/**
 * The token endpoint. Refusals use IMS's OAuth form: `invalid_request`, `unsupported_grant_type`,
 * `invalid_client` (unknown id or wrong secret).
 *
 * @since 0.1.0
 * @category handlers
 */
export const token = (state: EmulatorState.EmulatorState) =>
  Effect.gen(function*() {
    state.count("ims.token")
    const request = yield* HttpServerRequest.HttpServerRequest
    if (!/^application\/x-www-form-urlencoded\b/i.test(request.headers["content-type"] ?? "")) {
      return imsError(400, "invalid_request", "the body must be application/x-www-form-urlencoded")
    }
    const text = yield* Effect.orElseSucceed(request.text, () => "")
    const form = new URLSearchParams(text)
    const query = new URL(request.url, "http://emulator").searchParams
    // Secrets belong in the body; IMS refuses them in the query, where logs and proxies keep them.
    if (query.has("client_secret")) {
      return imsError(400, "invalid_request", "client_secret must be sent in the body, not the query")
    }
    if (form.get("grant_type") !== "client_credentials") {
      return imsError(400, "unsupported_grant_type", "grant_type must be client_credentials")
    }
    const clientId = form.get("client_id")
    const secret = form.get("client_secret")
    if (clientId === null || clientId === "") return imsError(400, "invalid_request", "missing client_id parameter")
    if (secret === null || secret === "") return imsError(400, "invalid_request", "missing client_secret parameter")
    const client = state.clients.get(clientId)
    if (client === undefined) return imsError(400, "invalid_client", "invalid client_id parameter")
    if (client.clientSecret !== secret) return imsError(401, "invalid_client", "invalid client_secret parameter")
    const now = yield* Clock.currentTimeMillis
    const issued = state.issueToken(client, now)
    return HttpServerResponse.unsafeJson({
      access_token: issued.token,
      token_type: "bearer",
      expires_in: issued.expiresIn
    })
  })
