/**
 * `@effect-aep/core` on edge runtimes (Cloudflare Workers, Vercel Edge, Deno): the client over
 * the runtime's `fetch`. Nothing is built at import time: layers are descriptions, built when a
 * program is run, so they can be created inside a `fetch` handler where Workers allow I/O.
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as AepClient from "@effect-aep/core/AepClient"

/**
 * `fetch` without following redirects: a redirect would carry the Authorization header and API
 * key to wherever it points. A 3xx answer surfaces as an `AepHttpError` instead.
 *
 * @since 0.1.0
 * @category layers
 */
export const httpClient: Layer.Layer<HttpClient.HttpClient> = FetchHttpClient.layer.pipe(
  Layer.provide(Layer.succeed(FetchHttpClient.RequestInit, { redirect: "manual" }))
)

/**
 * The client from explicit values: a static `accessToken`, or OAuth Server-to-Server with
 * `clientSecret` (and optionally `clientId`, default the API key; `scopes`; `imsUrl`;
 * `refreshMargin`). IMS is called over the same `fetch` as the platform.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: AepClient.Options): Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> =>
  AepClient.layerWith(options).pipe(Layer.provide(httpClient))

/**
 * A Worker's bindings, Deno's `Deno.env.toObject()`, `process.env` on Vercel: any object whose
 * `AEP_*` entries are strings. Entries that are not strings (KV namespaces, service bindings)
 * are ignored.
 *
 * @since 0.1.0
 * @category models
 */
export type Env = Readonly<Record<string, unknown>>

/**
 * Reads the `AEP_*` variables of an env object into a ConfigProvider.
 *
 * @since 0.1.0
 * @category config
 */
export const configProvider = (env: Env): ConfigProvider.ConfigProvider =>
  ConfigProvider.fromMap(
    new Map(
      Object.entries(env).filter((entry): entry is [string, string] =>
        entry[0].startsWith("AEP_") && typeof entry[1] === "string"
      )
    )
  )

/**
 * The client from an env object's `AEP_ORG_ID`, `AEP_API_KEY`, then either `AEP_CLIENT_SECRET`
 * (OAuth Server-to-Server; with `AEP_CLIENT_ID`, `AEP_SCOPES`, `AEP_IMS_URL`,
 * `AEP_TOKEN_REFRESH_MARGIN` optional) or `AEP_ACCESS_TOKEN`, and `AEP_SANDBOX_NAME` (default
 * `prod`) and `AEP_PLATFORM_URL` (default `https://platform.adobe.io`). A missing variable fails
 * with a ConfigError that names it.
 *
 * With client credentials, the token cache lives as long as the built layer: provided per
 * request, as below, every request asks IMS for a token. Where that matters, keep the layer in
 * a `ManagedRuntime` created on the first request.
 *
 * @example
 * ```ts
 * import { AepEdge } from "@effect-aep/edge"
 *
 * export default {
 *   fetch: (request: Request, env: Record<string, unknown>) =>
 *     program.pipe(Effect.provide(AepEdge.layerFromEnv(env)), Effect.runPromise)
 * }
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerFromEnv = (env: Env): Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> =>
  AepClient.layerConfig.pipe(
    Layer.locallyEffect(Effect.withConfigProvider(configProvider(env))),
    Layer.provide(httpClient)
  )
