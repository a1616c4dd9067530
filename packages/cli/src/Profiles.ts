/**
 * Named configurations in a file, so that one machine can talk to several organizations and
 * sandboxes: `aep --profile staging …`. A profile holds the same settings as the `AEP_*`
 * environment variables, under readable keys:
 *
 * ```json
 * {
 *   "profiles": {
 *     "staging": {
 *       "orgId": "5C1328435BF324E90A49402A@AdobeOrg",
 *       "sandboxName": "staging",
 *       "apiKey": "…",
 *       "clientSecret": "…",
 *       "datasetId": "5c8c3c555033b814b69f947f"
 *     }
 *   }
 * }
 * ```
 *
 * The file is `$AEP_CONFIG` if set, else `$XDG_CONFIG_HOME/aep/config.json`, else
 * `~/.config/aep/config.json` (`%APPDATA%\aep\config.json` on Windows). The profile is the one
 * named by `--profile`, else by `AEP_PROFILE`; without either, only the environment counts.
 * A profile's values win over the environment's; what it leaves out comes from the environment
 * (a profile without its secret can take it from `AEP_CLIENT_SECRET` in CI). A profile that
 * names a token or a client secret hides both of the environment's, so that credentials of two
 * organizations are never mixed.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Config from "effect/Config"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { homedir } from "node:os"
import { join } from "node:path"

/**
 * The keys a profile may hold, and the variable each stands for.
 *
 * @since 0.1.0
 * @category constants
 */
export const keys = {
  orgId: "AEP_ORG_ID",
  sandboxName: "AEP_SANDBOX_NAME",
  apiKey: "AEP_API_KEY",
  clientId: "AEP_CLIENT_ID",
  clientSecret: "AEP_CLIENT_SECRET",
  accessToken: "AEP_ACCESS_TOKEN",
  scopes: "AEP_SCOPES",
  imsUrl: "AEP_IMS_URL",
  platformUrl: "AEP_PLATFORM_URL",
  tokenRefreshMargin: "AEP_TOKEN_REFRESH_MARGIN",
  datasetId: "AEP_DATASET_ID"
} as const

/**
 * A profile key.
 *
 * @since 0.1.0
 * @category models
 */
export type Key = keyof typeof keys

/**
 * The variables whose values `aep` never prints: credentials.
 *
 * @since 0.1.0
 * @category constants
 */
export const secretVariables: ReadonlySet<string> = new Set([
  "AEP_API_KEY",
  "AEP_CLIENT_ID",
  "AEP_CLIENT_SECRET",
  "AEP_ACCESS_TOKEN"
])

const authVariables = ["AEP_ACCESS_TOKEN", "AEP_CLIENT_SECRET"] as const

/**
 * The profiles file could not be used, or the profile asked for is not in it.
 *
 * @since 0.1.0
 * @category errors
 */
export class ProfileError extends Data.TaggedError("ProfileError")<{ readonly message: string }> {}

/**
 * Where a setting came from.
 *
 * @since 0.1.0
 * @category models
 */
export type Source = "profile" | "environment"

/**
 * The configuration a command runs with.
 *
 * @since 0.1.0
 * @category models
 */
export interface Resolved {
  /** The profiles file, whether it exists or not. */
  readonly file: string
  /** The profile in use, if any. */
  readonly profile: string | undefined
  /** Every `AEP_*` setting in force, by variable name, and where it came from. */
  readonly settings: ReadonlyMap<string, { readonly value: string; readonly source: Source }>
  /** The settings as a ConfigProvider: what the client layers read. */
  readonly provider: ConfigProvider.ConfigProvider
  /** Non-fatal remarks for standard error (a file others can read, …). */
  readonly warnings: ReadonlyArray<string>
}

// An empty variable counts as unset, as the shell idiom `AEP_PROFILE= aep …` means.
const optionalVariable = (name: string) =>
  Config.option(Config.string(name)).pipe(Config.map(Option.filter((value) => value !== "")))

const readVariable = (name: string): Effect.Effect<string | undefined> =>
  Effect.map(Effect.orElseSucceed(optionalVariable(name), () => Option.none<string>()), Option.getOrUndefined)

/**
 * Where the profiles file is, from `AEP_CONFIG`, `XDG_CONFIG_HOME`, `APPDATA` (Windows) and the
 * home directory.
 *
 * @since 0.1.0
 * @category resolution
 */
export const filePath: Effect.Effect<string> = Effect.gen(function*() {
  const explicit = yield* readVariable("AEP_CONFIG")
  if (explicit !== undefined) return explicit
  const xdg = yield* readVariable("XDG_CONFIG_HOME")
  if (xdg !== undefined) return join(xdg, "aep", "config.json")
  const appData = process.platform === "win32" ? yield* readVariable("APPDATA") : undefined
  if (appData !== undefined) return join(appData, "aep", "config.json")
  const home = (yield* readVariable("HOME")) ?? homedir()
  return join(home, ".config", "aep", "config.json")
})

const describeKeys = Object.keys(keys).join(", ")

/**
 * Reads and checks the profiles file. A missing file is no profiles at all.
 *
 * @since 0.1.0
 * @category resolution
 */
export const readFile = (
  file: string
): Effect.Effect<ReadonlyMap<string, ReadonlyMap<string, string>> | undefined, ProfileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const exists = yield* Effect.orElseSucceed(fs.exists(file), () => false)
    if (!exists) return undefined
    const text = yield* fs.readFileString(file).pipe(
      Effect.mapError((error) => new ProfileError({ message: `cannot read the profiles file ${file}: ${error.message}` }))
    )
    let json: unknown
    try {
      json = JSON.parse(text)
    } catch (error) {
      return yield* new ProfileError({
        message: `the profiles file ${file} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`
      })
    }
    const isObject = (value: unknown): value is Record<string, unknown> =>
      typeof value === "object" && value !== null && !Array.isArray(value)
    if (!isObject(json) || !isObject(json["profiles"])) {
      return yield* new ProfileError({ message: `the profiles file ${file} must hold { "profiles": { "NAME": { … } } }` })
    }
    const profiles = new Map<string, ReadonlyMap<string, string>>()
    for (const [name, profile] of Object.entries(json["profiles"])) {
      if (!isObject(profile)) {
        return yield* new ProfileError({ message: `profile "${name}" in ${file} must be an object of settings (${describeKeys})` })
      }
      const settings = new Map<string, string>()
      for (const [key, value] of Object.entries(profile)) {
        const variable = (keys as Record<string, string>)[key]
        if (variable === undefined) {
          return yield* new ProfileError({ message: `profile "${name}" in ${file} has an unknown key "${key}"; keys are ${describeKeys}` })
        }
        if (typeof value !== "string") {
          return yield* new ProfileError({ message: `profile "${name}" in ${file}: "${key}" must be a string` })
        }
        if (value !== "") settings.set(variable, value)
      }
      profiles.set(name, settings)
    }
    return profiles
  })

/**
 * The names of the profiles in the file (none when there is no file).
 *
 * @since 0.1.0
 * @category resolution
 */
export const list: Effect.Effect<
  { readonly file: string; readonly exists: boolean; readonly profiles: ReadonlyArray<string> },
  ProfileError,
  FileSystem.FileSystem
> = Effect.gen(function*() {
  const file = yield* filePath
  const profiles = yield* readFile(file)
  return { file, exists: profiles !== undefined, profiles: profiles === undefined ? [] : [...profiles.keys()].sort() }
})

/**
 * The configuration for a command: the profile named by `--profile` (or `AEP_PROFILE`) over the
 * `AEP_*` variables of the current ConfigProvider (the environment).
 *
 * @since 0.1.0
 * @category resolution
 */
export const resolve = (flag: Option.Option<string>): Effect.Effect<Resolved, ProfileError, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const file = yield* filePath
    const name = Option.isSome(flag) ? flag.value : yield* readVariable("AEP_PROFILE")
    const settings = new Map<string, { value: string; source: Source }>()
    for (const variable of Object.values(keys)) {
      const value = yield* readVariable(variable)
      if (value !== undefined) settings.set(variable, { value, source: "environment" })
    }
    const warnings: Array<string> = []
    if (name !== undefined) {
      const profiles = yield* readFile(file)
      if (profiles === undefined) {
        return yield* new ProfileError({
          message: `profile "${name}" was asked for, but there is no profiles file at ${file} (set AEP_CONFIG to use another file)`
        })
      }
      const profile = profiles.get(name)
      if (profile === undefined) {
        const known = [...profiles.keys()].sort()
        return yield* new ProfileError({
          message: `there is no profile "${name}" in ${file}; ${known.length === 0 ? "it has none" : `it has ${known.join(", ")}`}`
        })
      }
      if (authVariables.some((variable) => profile.has(variable))) {
        for (const variable of authVariables) settings.delete(variable)
      }
      for (const [variable, value] of profile) settings.set(variable, { value, source: "profile" })
      if (authVariables.some((variable) => profile.has(variable))) {
        const warning = yield* permissionWarning(file)
        if (warning !== undefined) warnings.push(warning)
      }
    }
    const provider = ConfigProvider.fromMap(new Map([...settings].map(([variable, { value }]) => [variable, value])))
    return { file, profile: name, settings, provider, warnings }
  })

// Like ssh with a private key: a secret in a file others can read deserves a word.
const permissionWarning = (file: string): Effect.Effect<string | undefined, never, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    if (process.platform === "win32") return undefined
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.option(fs.stat(file))
    if (Option.isNone(info) || (info.value.mode & 0o077) === 0) return undefined
    return `warning: ${file} holds secrets and other users can read it; run: chmod 600 ${file}`
  })

/**
 * A setting as it may be shown: secrets replaced by a mark that says only that they are set.
 *
 * @since 0.1.0
 * @category formatting
 */
export const display = (variable: string, value: string): string =>
  secretVariables.has(variable) ? "(set, hidden)" : value
