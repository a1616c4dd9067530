/**
 * Who the client is and where it talks to: organization, sandbox, API key and platform URL.
 * The access token is a separate service (`AccessToken`) so that how tokens are obtained can
 * change without touching this or any caller.
 *
 * @since 0.1.0
 */
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as BaseUrl from "./internal/baseUrl.js"

/**
 * Adobe's production platform host.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultPlatformUrl = "https://platform.adobe.io"

/**
 * The sandbox every organization has.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultSandboxName = "prod"

/**
 * @since 0.1.0
 * @category models
 */
export interface AepConfig {
  /** The IMS organization id, e.g. `5C1328435BF324E90A49402A@AdobeOrg`. */
  readonly orgId: string
  /** The sandbox, lower case, e.g. `prod`. */
  readonly sandboxName: string
  /** The API key: the OAuth client id of the credential. Sent as `x-api-key`, never shown. */
  readonly apiKey: Redacted.Redacted<string>
  /** Where the platform APIs live, without a trailing slash. */
  readonly platformUrl: string
}

/**
 * @since 0.1.0
 * @category tags
 */
export const AepConfig: Context.Tag<AepConfig, AepConfig> = Context.GenericTag<AepConfig>("@effect-aep/core/AepConfig")

/**
 * What `layer` takes. Plain strings are accepted for convenience and wrapped in `Redacted`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  readonly orgId: string
  readonly sandboxName?: string | undefined
  readonly apiKey: string | Redacted.Redacted<string>
  readonly platformUrl?: string | undefined
}

/**
 * Checks and normalises options into the service. Fails with a ConfigError that names the
 * variable and the fix, so `layer` and `layerConfig` report bad values the same way.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (options: Options): Either.Either<AepConfig, ConfigError.ConfigError> => {
  const orgId = options.orgId.trim()
  if (!/^[A-Za-z0-9._-]+@AdobeOrg$/.test(orgId)) {
    return Either.left(
      ConfigError.InvalidData(["AEP_ORG_ID"], "must be an IMS organization id such as 5C1328435BF324E90A49402A@AdobeOrg")
    )
  }
  const apiKey = Redacted.isRedacted(options.apiKey) ? options.apiKey : Redacted.make(options.apiKey)
  if (Redacted.value(apiKey).trim() === "") {
    return Either.left(ConfigError.InvalidData(["AEP_API_KEY"], "must not be empty"))
  }
  const sandboxName = (options.sandboxName ?? defaultSandboxName).trim()
  if (!/^[a-z0-9][a-z0-9-]*$/.test(sandboxName)) {
    return Either.left(
      ConfigError.InvalidData(
        ["AEP_SANDBOX_NAME"],
        `must be a sandbox name in lower case (letters, digits, '-'), e.g. "prod"; got "${sandboxName}"`
      )
    )
  }
  const platformUrl = parsePlatformUrl(options.platformUrl ?? defaultPlatformUrl)
  if (Either.isLeft(platformUrl)) return Either.left(platformUrl.left)
  return Either.right({ orgId, sandboxName, apiKey, platformUrl: platformUrl.right })
}

/**
 * Whether a URL points at this machine (where plain HTTP is acceptable: the emulator, tests).
 * Only IP literals and `localhost` count: a name such as `127.example.com` is not loopback.
 *
 * @since 0.1.0
 * @category predicates
 */
export const isLoopback: (url: URL) => boolean = BaseUrl.isLoopback

const parsePlatformUrl = (raw: string): Either.Either<string, ConfigError.ConfigError> =>
  BaseUrl.parse("AEP_PLATFORM_URL", raw, defaultPlatformUrl)

/**
 * The service from explicit values.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options): Layer.Layer<AepConfig, ConfigError.ConfigError> =>
  Layer.effect(AepConfig, make(options))

/**
 * The configuration read by `layerConfig`, as a `Config` you can compose or read from another
 * provider.
 *
 * @since 0.1.0
 * @category config
 */
export const config: Config.Config<AepConfig> = Config.all({
  orgId: Config.string("AEP_ORG_ID"),
  sandboxName: Config.string("AEP_SANDBOX_NAME").pipe(Config.withDefault(defaultSandboxName)),
  // Config.redacted would also redact the "is missing" message; the value is wrapped instead.
  apiKey: Config.string("AEP_API_KEY").pipe(Config.map(Redacted.make)),
  platformUrl: Config.string("AEP_PLATFORM_URL").pipe(Config.withDefault(defaultPlatformUrl))
}).pipe(Config.mapOrFail(make))

/**
 * The service from `AEP_ORG_ID`, `AEP_SANDBOX_NAME` (default `prod`), `AEP_API_KEY` and
 * `AEP_PLATFORM_URL` (default `https://platform.adobe.io`). A missing or bad variable fails
 * with a ConfigError that names it.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig: Layer.Layer<AepConfig, ConfigError.ConfigError> = Layer.effect(AepConfig, config)

/**
 * A configuration failure as lines a person can act on, one per variable, e.g.
 * `AEP_API_KEY is not set` (with the alternatives, where a variable has any). Never contains a
 * value.
 *
 * @since 0.1.0
 * @category errors
 */
export const describeError = (error: ConfigError.ConfigError): string => {
  const lines: Array<string> = []
  const visit = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        visit(e.left)
        visit(e.right)
        return
      case "MissingData": {
        // Where a variable has alternatives, its error says so in a sentence that starts like
        // ours (see `AccessToken.config`); the default "Expected … to exist" is replaced.
        const name = e.path.join(".")
        lines.push(e.message.startsWith(`${name} is not set`) ? e.message : `${name} is not set`)
        return
      }
      case "InvalidData":
      case "SourceUnavailable":
      case "Unsupported":
        lines.push(`${e.path.join(".")} ${e.message}`)
        return
    }
  }
  visit(error)
  return [...new Set(lines)].join("\n")
}
