import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"

// IP literals only (and `localhost`): a name such as `127.example.com` is not loopback.
const loopbackHost = /^(localhost|\[::1\]|127(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3})$/

/** Whether a URL points at this machine (where plain HTTP is acceptable: the emulator, tests). */
export const isLoopback = (url: URL): boolean => loopbackHost.test(url.hostname)

/**
 * Checks a base URL read from `variable` and normalises it (no trailing slash). Credentials
 * travel to it, so it must be https unless it is loopback, and it may carry no credentials,
 * query or fragment of its own.
 */
export const parse = (
  variable: string,
  raw: string,
  example: string
): Either.Either<string, ConfigError.ConfigError> => {
  let url: URL
  try {
    url = new URL(raw)
  } catch {
    return Either.left(ConfigError.InvalidData([variable], `must be an absolute URL, e.g. ${example}`))
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopback(url))) {
    return Either.left(
      ConfigError.InvalidData(
        [variable],
        "must use https (plain http is accepted only for loopback hosts such as the emulator)"
      )
    )
  }
  // `url.search` is "" for a bare "?" too, so the raw text is checked as well.
  if (url.username !== "" || url.password !== "" || raw.includes("?") || raw.includes("#")) {
    return Either.left(ConfigError.InvalidData([variable], "must be a base URL without credentials, query or fragment"))
  }
  return Either.right(`${url.origin}${url.pathname}`.replace(/\/+$/, ""))
}
