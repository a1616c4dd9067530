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
 * The client from explicit values.
 *
 * @example
 * ```ts
 * import { AepNode } from "@effect-aep/node"
 *
 * const AepLive = AepNode.layer({ orgId: "…@AdobeOrg", apiKey: "…", accessToken: "…" })
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: AepClient.Options): Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> =>
  AepClient.layerWith(options).pipe(Layer.provide(NodeHttpClient.layerUndici))

/**
 * The client from the `AEP_*` environment variables: `AEP_ORG_ID`, `AEP_API_KEY`,
 * `AEP_ACCESS_TOKEN`, and optionally `AEP_SANDBOX_NAME` (default `prod`) and `AEP_PLATFORM_URL`
 * (default `https://platform.adobe.io`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<AepClient.AepClient, ConfigError.ConfigError> = AepClient.layerConfig.pipe(
  Layer.provide(NodeHttpClient.layerUndici)
)
