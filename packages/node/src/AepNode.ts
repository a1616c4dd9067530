/**
 * `@effect-aep/core` on Node.js: the client over undici with keep-alive connections.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as ConfigError from "effect/ConfigError"
import * as Layer from "effect/Layer"
import * as AepClient from "@effect-aep/core/AepClient"

/**
 * The client from explicit values: a static `accessToken`, or OAuth Server-to-Server with
 * `clientSecret` (and optionally `clientId`, default the API key; `scopes`; `imsUrl`;
 * `refreshMargin`). IMS is called over the same undici client as the platform.
 *
 * @example
 * ```ts
 * import { AepNode } from "@effect-aep/node"
 * import { Redacted } from "effect"
 *
 * const WithToken = AepNode.layer({ orgId: "…@AdobeOrg", apiKey: "…", accessToken: "…" })
 * const WithCredential = AepNode.layer({
 *   orgId: "…@AdobeOrg",
 *   apiKey: "…",
 *   clientSecret: Redacted.make(process.env["AEP_CLIENT_SECRET"] ?? "")
 * })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: AepClient.Options): Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> =>
  AepClient.layerWith(options).pipe(Layer.provide(NodeHttpClient.layerUndici))

/**
 * The client from the `AEP_*` environment variables: `AEP_ORG_ID`, `AEP_API_KEY`, then either
 * `AEP_CLIENT_SECRET` (OAuth Server-to-Server; with `AEP_CLIENT_ID`, `AEP_SCOPES`,
 * `AEP_IMS_URL`, `AEP_TOKEN_REFRESH_MARGIN` optional) or `AEP_ACCESS_TOKEN`; and optionally
 * `AEP_SANDBOX_NAME` (default `prod`) and `AEP_PLATFORM_URL` (default
 * `https://platform.adobe.io`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> = AepClient.layerConfig.pipe(
  Layer.provide(NodeHttpClient.layerUndici)
)
