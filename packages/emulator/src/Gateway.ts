/**
 * The Adobe I/O gateway in front of every platform API: it checks the token, API key, org and
 * sandbox headers before a service sees the request.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpRouter from "@effect/platform/HttpRouter"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import type * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Clock from "effect/Clock"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import type * as EmulatorState from "./EmulatorState.js"
import { gatewayError, type Refusal, respond, serviceError } from "./Refusal.js"

/**
 * Who called, once the gateway let the request through.
 *
 * @since 0.1.0
 * @category models
 */
export interface Caller {
  readonly orgId: string
  readonly clientId: string
  readonly sandboxName: string
}

/**
 * The gateway's checks, in the order the emulator applies them: token present, API key present,
 * token valid, API key known, org header present, org matches the token, sandbox exists.
 *
 * @since 0.1.0
 * @category gateway
 */
export const authenticate = (
  state: EmulatorState.EmulatorState,
  headers: Headers.Headers
): Effect.Effect<Caller, Refusal> =>
  Effect.gen(function*() {
    const header = (name: string) => Option.getOrUndefined(Headers.get(headers, name))?.trim()
    const authorization = header("authorization")
    const token = authorization?.match(/^Bearer\s+(\S+)$/i)?.[1]
    if (token === undefined) return yield* gatewayError(403, "403010", "Oauth token is missing.")
    const apiKey = header("x-api-key")
    if (apiKey === undefined || apiKey === "") return yield* gatewayError(403, "403000", "Api Key is required")
    const grant = state.tokens.get(token)
    const now = yield* Clock.currentTimeMillis
    if (grant === undefined || (grant.expiresAt !== undefined && grant.expiresAt <= now)) {
      return yield* gatewayError(401, "401013", "Oauth token is not valid")
    }
    // The API key is an OAuth client id: every client IMS knows has one, not only the demo's.
    if (!state.clients.has(apiKey)) return yield* gatewayError(403, "403003", "Api Key is invalid")
    const orgId = header("x-gw-ims-org-id")
    if (orgId === undefined || orgId === "") return yield* gatewayError(400, "400003", "Missing header")
    if (orgId !== grant.orgId) return yield* gatewayError(403, "403025", "Profile is not valid")
    const sandboxName = header("x-sandbox-name") || "prod"
    if (!state.sandboxes.has(sandboxName)) {
      return yield* serviceError(404, `Sandbox '${sandboxName}' was not found in organization ${orgId}`)
    }
    return { orgId, clientId: grant.clientId, sandboxName }
  })

/**
 * A platform endpoint: counts the call under `operation`, runs the gateway's checks, then the
 * handler; a refusal from either becomes its response.
 *
 * @since 0.1.0
 * @category gateway
 */
export const endpoint = <R>(
  state: EmulatorState.EmulatorState,
  operation: string,
  handler: (
    caller: Caller,
    request: HttpServerRequest.HttpServerRequest
  ) => Effect.Effect<HttpServerResponse.HttpServerResponse, Refusal, R>
): Effect.Effect<HttpServerResponse.HttpServerResponse, never, R | HttpServerRequest.HttpServerRequest | HttpRouter.RouteContext> =>
  Effect.gen(function*() {
    state.count(operation)
    const request = yield* HttpServerRequest.HttpServerRequest
    const caller = yield* authenticate(state, request.headers)
    return yield* handler(caller, request)
  }).pipe(Effect.catchTag("Refusal", (refusal) => Effect.succeed(respond(refusal))))
