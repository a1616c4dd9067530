/**
 * `aep config …`: where the configuration comes from — the profiles file, the profile in use,
 * and every setting with its source. Secrets are shown only as set or not.
 *
 * @since 0.1.0
 */
import * as Command from "@effect/cli/Command"
import * as AepConfig from "@effect-aep/core/AepConfig"
import * as ClientCredentials from "@effect-aep/core/ClientCredentials"
import * as Effect from "effect/Effect"
import * as Common from "./Common.js"
import * as Output from "./Output.js"
import * as Profiles from "./Profiles.js"
import * as Table from "./Table.js"

const defaults: Record<string, string> = {
  AEP_SANDBOX_NAME: AepConfig.defaultSandboxName,
  AEP_PLATFORM_URL: AepConfig.defaultPlatformUrl,
  AEP_IMS_URL: ClientCredentials.defaultImsUrl
}

const authentication = (settings: Profiles.Resolved["settings"]): string =>
  settings.has("AEP_CLIENT_SECRET")
    ? "OAuth Server-to-Server (client secret): tokens from IMS"
    : settings.has("AEP_ACCESS_TOKEN")
    ? "static access token"
    : "none configured (set AEP_ACCESS_TOKEN or AEP_CLIENT_SECRET)"

const show = Command.make("show", { json: Common.json, profile: Common.profile }, (options) =>
  Effect.gen(function*() {
    const resolved = yield* Profiles.resolve(options.profile)
    for (const warning of resolved.warnings) yield* Output.errorLine(warning)
    const rows = Object.entries(Profiles.keys).map(([key, variable]) => {
      const setting = resolved.settings.get(variable)
      return {
        variable,
        key,
        value: setting === undefined ? defaults[variable] : Profiles.display(variable, setting.value),
        source: setting === undefined ? (defaults[variable] === undefined ? undefined : "default") : setting.source
      }
    })
    if (options.json) {
      return yield* Common.printJson({
        file: resolved.file,
        profile: resolved.profile ?? null,
        authentication: authentication(resolved.settings),
        settings: Object.fromEntries(
          rows.filter((row) => row.source !== undefined).map((row) => [row.variable, { value: row.value, source: row.source }])
        )
      })
    }
    yield* Output.line(
      [
        Table.keyValue([
          ["profiles file", resolved.file],
          ["profile", resolved.profile ?? "(none: environment only)"],
          ["authentication", authentication(resolved.settings)]
        ]),
        "",
        Table.table(
          ["variable", "profile key", "value", "from"],
          rows.map((row) => [row.variable, row.key, row.value ?? "-", row.source ?? "not set"])
        )
      ].join("\n")
    )
  })).pipe(
    Command.withDescription(
      Common.help(
        "Shows the configuration a command would use: the profiles file, the profile, and each setting with " +
          "where it came from. Secrets (API key, client id and secret, access token) are never shown, only " +
          "whether they are set.",
        ["aep config show", "aep config show --profile staging --json"]
      )
    )
  )

const list = Command.make("list", { json: Common.json }, (options) =>
  Effect.gen(function*() {
    const found = yield* Profiles.list
    if (options.json) return yield* Common.printJson(found)
    if (!found.exists) return yield* Output.line(`No profiles file at ${found.file}.`)
    yield* Output.line(
      found.profiles.length === 0
        ? `${found.file} has no profiles.`
        : `Profiles in ${found.file}:\n${found.profiles.map((name) => `  ${name}`).join("\n")}`
    )
  })).pipe(Command.withDescription(Common.help("Lists the profiles in the profiles file.", ["aep config list"])))

/**
 * `aep config`.
 *
 * @since 0.1.0
 * @category commands
 */
export const command = Command.make("config").pipe(
  Command.withDescription(
    Common.help(
      "Profiles: named configurations in a JSON file, chosen with --profile NAME (or AEP_PROFILE). The file " +
        "is $AEP_CONFIG, else $XDG_CONFIG_HOME/aep/config.json, else ~/.config/aep/config.json. A profile " +
        `holds the keys ${Object.keys(Profiles.keys).join(", ")} (the AEP_* variables of the same names); ` +
        "its values win over the environment's.",
      ["aep config show --profile staging", "aep config list"],
      [
        '{ "profiles": { "staging": { "orgId": "…@AdobeOrg", "sandboxName": "staging", "apiKey": "…", ' +
        '"clientSecret": "…" } } }'
      ]
    )
  ),
  Command.withSubcommands([show, list])
)
