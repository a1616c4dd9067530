/**
 * Where the client gets the bearer token it sends. Callers never see it: `AepClient` asks this
 * service before each request and tells it when AEP rejected the token.
 *
 * Two implementations: a static token (`AEP_ACCESS_TOKEN`), used as is, and OAuth
 * Server-to-Server client credentials (`AEP_CLIENT_SECRET`), exchanged at IMS for tokens that
 * are cached and renewed before they expire.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as Ref from "effect/Ref"
import type * as Scope from "effect/Scope"
import type { AepAuthError } from "./AepError.js"
import * as ClientCredentials from "./ClientCredentials.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface AccessToken {
  /** The token to send now. */
  readonly get: Effect.Effect<Redacted.Redacted<string>, AepAuthError>
  /**
   * AEP rejected `token` (401): forget it if it is still the current one, so that the next `get`
   * obtains another. A static token cannot be replaced, so the static implementation does
   * nothing.
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
 * How long before a token expires it is renewed, unless configured otherwise.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultRefreshMargin: Duration.Duration = Duration.minutes(5)

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

interface Cached {
  readonly token: Redacted.Redacted<string>
  /** Epoch milliseconds from which `get` obtains a new token instead. */
  readonly refreshAt: number
}

interface State {
  readonly current: Cached | undefined
  /** The exchange under way, if any: every caller that needs a token meanwhile waits on it. */
  readonly pending: Deferred.Deferred<Cached, AepAuthError> | undefined
}

type Next =
  | { readonly _tag: "Cached"; readonly cached: Cached }
  | { readonly _tag: "Wait"; readonly deferred: Deferred.Deferred<Cached, AepAuthError> }

/**
 * Tokens from OAuth Server-to-Server client credentials. A token is reused until `refreshMargin`
 * (default 5 minutes, at most half its lifetime) before it expires; then the next caller
 * exchanges the credential for a new one. The exchange is single-flight: however many callers
 * need a token at once, one request goes to IMS and all of them wait on its outcome. A failed
 * exchange is handed to those waiting and forgotten: the next caller tries again. Time is read
 * from Effect's `Clock`.
 *
 * The exchange runs in the scope of the service, not in the caller's fiber, so a caller that is
 * interrupted does not abandon the others waiting on it.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeClientCredentials = (
  credentials: ClientCredentials.ClientCredentials,
  options: { readonly refreshMargin?: Duration.DurationInput | undefined } = {}
): Effect.Effect<AccessToken, never, HttpClient.HttpClient | Scope.Scope> =>
  Effect.gen(function*() {
    const context = yield* Effect.context<HttpClient.HttpClient>()
    const scope = yield* Effect.scope
    const refreshMargin = Duration.toMillis(options.refreshMargin ?? defaultRefreshMargin)
    const state = yield* Ref.make<State>({ current: undefined, pending: undefined })

    const refresh = (deferred: Deferred.Deferred<Cached, AepAuthError>) =>
      Effect.gen(function*() {
        const requestedAt = yield* Clock.currentTimeMillis
        const exit = yield* Effect.exit(Effect.provide(ClientCredentials.exchange(credentials), context))
        const cached = Exit.map(exit, (issued): Cached => {
          const lifetime = Duration.toMillis(issued.expiresIn)
          // Timed from the request, not the answer: the token may be older than it looks. A margin
          // longer than the token's life would renew on every call; half its life is the most.
          return { token: issued.token, refreshAt: requestedAt + lifetime - Math.min(refreshMargin, lifetime / 2) }
        })
        // Success replaces the token; failure leaves no trace but the waiters' error.
        yield* Ref.update(state, (s) => ({
          current: Exit.isSuccess(cached) ? cached.value : s.current,
          pending: undefined
        }))
        yield* Deferred.done(deferred, cached)
      }).pipe(
        Effect.onInterrupt(() =>
          Effect.zipRight(
            Ref.update(state, (s) => (s.pending === deferred ? { ...s, pending: undefined } : s)),
            Deferred.interrupt(deferred)
          )
        )
      )

    // Deciding and starting the exchange happen without interruption in between: a `pending`
    // that nobody completes would make every later caller wait forever.
    const next: Effect.Effect<Next> = Effect.uninterruptible(
      Effect.gen(function*() {
        const now = yield* Clock.currentTimeMillis
        const fresh = yield* Deferred.make<Cached, AepAuthError>()
        const next = yield* Ref.modify(state, (s): readonly [Next | undefined, State] =>
          s.current !== undefined && now < s.current.refreshAt
            ? [{ _tag: "Cached", cached: s.current }, s]
            : s.pending !== undefined
            ? [{ _tag: "Wait", deferred: s.pending }, s]
            : [undefined, { ...s, pending: fresh }])
        if (next !== undefined) return next
        yield* Effect.forkIn(refresh(fresh), scope)
        return { _tag: "Wait", deferred: fresh } as const
      })
    )

    const get = Effect.flatMap(next, (next) =>
      next._tag === "Cached"
        ? Effect.succeed(next.cached.token)
        : Effect.map(Deferred.await(next.deferred), (cached) => cached.token))

    const invalidate = (token: Redacted.Redacted<string>) =>
      // Only the token that was refused: callers holding an older one must not throw away the
      // token that already replaced it.
      Ref.update(state, (s) =>
        s.current !== undefined && Redacted.value(s.current.token) === Redacted.value(token)
          ? { ...s, current: undefined }
          : s)

    return AccessToken.of({ get, invalidate })
  })

/**
 * What `layerClientCredentials` takes: the credential and how long before a token expires it is
 * renewed.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientCredentialsOptions extends ClientCredentials.Options {
  /** Default 5 minutes; at most half a token's lifetime is used. */
  readonly refreshMargin?: Duration.DurationInput | undefined
}

const checkRefreshMargin = (input: unknown): Either.Either<Duration.Duration, ConfigError.ConfigError> => {
  const margin = input === undefined ? Option.some(defaultRefreshMargin) : Duration.decodeUnknown(input)
  return Option.isSome(margin) && Duration.isFinite(margin.value)
    ? Either.right(margin.value)
    : Either.left(ConfigError.InvalidData(["AEP_TOKEN_REFRESH_MARGIN"], "must be a finite duration, e.g. 5 minutes"))
}

/**
 * Tokens from OAuth Server-to-Server client credentials (see `makeClientCredentials`). IMS is
 * called through the `HttpClient` the layer is given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerClientCredentials = (
  options: ClientCredentialsOptions
): Layer.Layer<AccessToken, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.scoped(
    AccessToken,
    Effect.suspend(() => Either.all([ClientCredentials.make(options), checkRefreshMargin(options.refreshMargin)])).pipe(
      Effect.flatMap(([credentials, refreshMargin]) => makeClientCredentials(credentials, { refreshMargin }))
    )
  )

/**
 * What `layer` takes: a static token, or a client credential.
 *
 * @since 0.1.0
 * @category models
 */
export type Options = { readonly accessToken: string | Redacted.Redacted<string> } | ClientCredentialsOptions

/**
 * Whether options configure client credentials (a client secret is given).
 *
 * @since 0.1.0
 * @category predicates
 */
export const isClientCredentials = <O extends object>(
  options: O
): options is Extract<O, { readonly clientSecret: unknown }> =>
  "clientSecret" in options && options.clientSecret !== undefined

/**
 * The token source options describe: client credentials when a client secret is given, the
 * static token otherwise.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AccessToken, ConfigError.ConfigError, HttpClient.HttpClient> =>
  isClientCredentials(options) ? layerClientCredentials(options) : layerStatic(options.accessToken)

const missingToken = ConfigError.MissingData(
  ["AEP_ACCESS_TOKEN"],
  "AEP_ACCESS_TOKEN is not set: set it to a bearer token, or set AEP_CLIENT_SECRET for OAuth Server-to-Server"
)

/**
 * Which token source the environment configures, as a layer to build: client credentials when
 * `AEP_CLIENT_SECRET` is set (see `ClientCredentials.configOption`; `AEP_TOKEN_REFRESH_MARGIN`,
 * default 5 minutes, says when tokens are renewed), else the static token in
 * `AEP_ACCESS_TOKEN`. When neither is set the ConfigError names both.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<
  Layer.Layer<AccessToken, ConfigError.ConfigError, HttpClient.HttpClient>
> = Config.all({
  credentials: ClientCredentials.configOption,
  // Read as text and parsed only for client credentials: a static token has no use for it.
  refreshMargin: Config.option(Config.string("AEP_TOKEN_REFRESH_MARGIN")),
  // Config.redacted would also redact the "is missing" message; the value is wrapped instead.
  accessToken: Config.option(Config.string("AEP_ACCESS_TOKEN"))
}).pipe(
  Config.mapOrFail(({ accessToken, credentials, refreshMargin }): Either.Either<
    Layer.Layer<AccessToken, ConfigError.ConfigError, HttpClient.HttpClient>,
    ConfigError.ConfigError
  > => {
    if (Option.isSome(credentials)) {
      return Either.map(
        checkRefreshMargin(Option.getOrUndefined(refreshMargin)),
        (margin) =>
          Layer.scoped(AccessToken, makeClientCredentials(credentials.value, { refreshMargin: margin }))
      )
    }
    return Option.isSome(accessToken)
      ? Either.right(layerStatic(Redacted.make(accessToken.value)))
      : Either.left(missingToken)
  })
)

/**
 * The token source the environment configures (see `config`). Client credentials call IMS
 * through the `HttpClient` the layer is given.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<AccessToken, ConfigError.ConfigError, HttpClient.HttpClient> = Layer.unwrapEffect(
  config
)
