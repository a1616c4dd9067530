/**
 * Where the client gets the bearer token it sends. Callers never see it: `AepClient` asks this
 * service before each request and tells it when AEP rejected the token.
 *
 * This release ships the static token (`AEP_ACCESS_TOKEN`). Other ways of obtaining tokens are
 * further implementations of the same service.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import type { AepAuthError } from "./AepError.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface AccessToken {
  /** The token to send now. */
  readonly get: Effect.Effect<Redacted.Redacted<string>, AepAuthError>
  /**
   * AEP rejected `token` (401): forget it if it is still the current one. A static token cannot
   * be replaced, so the static implementation does nothing.
   */
  readonly invalidate: (token: Redacted.Redacted<string>) => Effect.Effect<void>
}

/**
 * @since 0.1.0
 * @category tags
 */
export const AccessToken: Context.Tag<AccessToken, AccessToken> = Context.GenericTag<AccessToken>(
  "@effect-aep/core/AccessToken"
)

/**
 * A token that was obtained elsewhere (e.g. from the Developer Console) and is used as is.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStatic = (token: Redacted.Redacted<string>): AccessToken => ({
  get: Effect.succeed(token),
  invalidate: () => Effect.void
})

/**
 * @since 0.1.0
 * @category layers
 */
export const layerStatic = (token: string | Redacted.Redacted<string>): Layer.Layer<AccessToken, ConfigError.ConfigError> =>
  Layer.effect(
    AccessToken,
    Effect.suspend(() => {
      const redacted = Redacted.isRedacted(token) ? token : Redacted.make(token)
      return Redacted.value(redacted).trim() === ""
        ? Effect.fail(ConfigError.InvalidData(["AEP_ACCESS_TOKEN"], "must not be empty"))
        : Effect.succeed(makeStatic(redacted))
    })
  )

/**
 * Which token source the environment configures, as a layer to build: for now the static token
 * from `AEP_ACCESS_TOKEN`.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<Layer.Layer<AccessToken, ConfigError.ConfigError>> = Config.string(
  "AEP_ACCESS_TOKEN"
).pipe(
  // Config.redacted would also redact the "is missing" message; the value is wrapped instead.
  Config.map((token) => layerStatic(Redacted.make(token)))
)

/**
 * The token source the environment configures (see `config`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<AccessToken, ConfigError.ConfigError> = Layer.unwrapEffect(config)
