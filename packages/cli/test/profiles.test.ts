import { Demo } from "@effect-aep/emulator"
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { chmodSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { aep, baseEnv, broken, closedUrl, json, people, type Running, startEmulator, workdir } from "./support.js"

// Two organizations, each an emulator with credentials of its own: profile "alpha" uses a static
// token, profile "beta" OAuth client credentials against the second emulator's IMS.
const alpha = { orgId: "ALPHA00000000000000000000@AdobeOrg", apiKey: "alpha-api-key-7Q2", accessToken: "alpha-token-secret-K8v1" }
const beta = { orgId: "BETA000000000000000000000@AdobeOrg", apiKey: "beta-client-id-3Zt", clientSecret: "beta-client-secret-W9x4" }

describe("profiles", () => {
  let a: Running
  let b: Running
  let dir: string
  let file: string
  let env: Record<string, string>
  const run = (args: ReadonlyArray<string>, extra: Record<string, string> = {}) => aep(args, { env: { ...env, ...extra }, cwd: dir })

  beforeAll(async () => {
    a = await startEmulator({ orgId: alpha.orgId, apiKey: alpha.apiKey, accessToken: alpha.accessToken })
    b = await startEmulator({ orgId: beta.orgId, apiKey: beta.apiKey, clientSecret: beta.clientSecret })
    dir = workdir({ "people.json": people, "broken.json": broken })
    file = join(dir, "aep.json")
    writeFileSync(
      file,
      JSON.stringify({
        profiles: {
          alpha: { platformUrl: a.url, ...alpha, datasetId: Demo.datasetId },
          beta: { platformUrl: b.url, imsUrl: b.url, ...beta, sandboxName: "prod", datasetId: Demo.datasetId },
          // No credential of its own: the token comes from the environment.
          bare: { platformUrl: a.url, orgId: alpha.orgId, apiKey: alpha.apiKey }
        }
      })
    )
    chmodSync(file, 0o600)
    env = { ...baseEnv(), AEP_CONFIG: file }
  })
  afterAll(async () => {
    await a.stop()
    await b.stop()
  })

  it("--profile picks the organization; AEP_PROFILE does too; the profile wins over AEP_* variables", async () => {
    const elsewhere = await closedUrl()
    const [inBeta, inAlpha, fromVariable, overEnvironment] = await Promise.all([
      run(["batch", "create", "--profile", "beta", "--format", "json", "-q"]),
      run(["batch", "create", "--profile", "alpha", "--format", "json", "-q"]),
      run(["batch", "create", "--format", "json", "-q"], { AEP_PROFILE: "beta" }),
      run(["batch", "create", "--profile", "alpha", "--format", "json", "-q"], {
        AEP_PLATFORM_URL: elsewhere,
        AEP_ORG_ID: beta.orgId,
        AEP_ACCESS_TOKEN: "not-the-token",
        AEP_CLIENT_SECRET: "not-the-secret"
      })
    ])
    for (const result of [inBeta, inAlpha, fromVariable, overEnvironment]) assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(b.emulator.state.counter("batches.create"), 2)
    assert.strictEqual(a.emulator.state.counter("batches.create"), 2)
    // Each batch lives in its own organization only.
    const [betaInBeta, betaInAlpha] = await Promise.all([
      run(["batch", "get", inBeta.stdout.trim(), "--profile", "beta", "--json"]),
      run(["batch", "get", inBeta.stdout.trim(), "--profile", "alpha"])
    ])
    assert.strictEqual(json(betaInBeta).imsOrg, beta.orgId)
    assert.strictEqual(betaInAlpha.code, 1)

    // A profile without a credential takes it from the environment.
    const bare = await run(["batch", "list", "--profile", "bare", "--json"], { AEP_ACCESS_TOKEN: alpha.accessToken })
    assert.strictEqual(bare.code, 0, bare.stderr)
    assert.strictEqual(json(bare).length, 2)
  })

  it("config list and config show: the file, the profile, each setting and its source, secrets hidden", async () => {
    const [list, show, showJson, none] = await Promise.all([
      run(["config", "list"]),
      run(["config", "show", "--profile", "beta"]),
      run(["config", "show", "--profile", "beta", "--json"]),
      run(["config", "show"], { AEP_ORG_ID: alpha.orgId })
    ])
    assert.strictEqual(list.stdout, `Profiles in ${file}:\n  alpha\n  bare\n  beta\n`)
    assert.strictEqual(show.code, 0, show.stderr)
    assert.match(show.stdout, new RegExp(`^profiles file:\\s+${file.replace(/[.\\/]/g, "\\$&")}$`, "m"))
    assert.match(show.stdout, /^profile:\s+beta$/m)
    assert.match(show.stdout, /^authentication:\s+OAuth Server-to-Server/m)
    assert.match(show.stdout, new RegExp(`^AEP_ORG_ID\\s+orgId\\s+${beta.orgId}\\s+profile$`, "m"))
    assert.match(show.stdout, /^AEP_CLIENT_SECRET\s+clientSecret\s+\(set, hidden\)\s+profile$/m)
    assert.match(show.stdout, /^AEP_API_KEY\s+apiKey\s+\(set, hidden\)\s+profile$/m)
    assert.match(show.stdout, /^AEP_ACCESS_TOKEN\s+accessToken\s+-\s+not set$/m)
    const shown = json(showJson)
    assert.strictEqual(shown.profile, "beta")
    assert.deepStrictEqual(shown.settings.AEP_CLIENT_SECRET, { value: "(set, hidden)", source: "profile" })
    assert.deepStrictEqual(shown.settings.AEP_SANDBOX_NAME, { value: "prod", source: "profile" })
    assert.match(none.stdout, /^profile:\s+\(none: environment only\)$/m)
    assert.match(none.stdout, new RegExp(`^AEP_ORG_ID\\s+orgId\\s+${alpha.orgId}\\s+environment$`, "m"))
    assert.match(none.stdout, /^AEP_PLATFORM_URL\s+platformUrl\s+https:\/\/platform\.adobe\.io\s+default$/m)
  })

  // Secrets are the client secret and access tokens. The API key (the credential's client id) is
  // hidden too, in configuration and traces; AEP itself records it in the batches it creates
  // (createdClient, the acp_producer tag), and batches are shown as AEP describes them.
  it("no command prints a secret: not the file's, not the environment's, not a token IMS issued", async () => {
    const id = (await run(["batch", "create", "--profile", "beta", "--format", "json", "--diagnostics", "-q"])).stdout.trim()
    const results = await Promise.all([
      run(["config", "show", "--profile", "beta"]),
      run(["config", "show", "--profile", "beta", "--json"]),
      run(["config", "show", "--profile", "bare"], { AEP_ACCESS_TOKEN: alpha.accessToken }),
      run(["config", "show", "--profile", "alpha", "--json"]),
      run(["batch", "upload", id, "broken.json", "--profile", "beta", "--trace"]),
      run(["batch", "get", id, "--profile", "beta", "--trace", "--json"]),
      run(["batch", "list", "--profile", "beta", "--trace"]),
      run(["batch", "get", "0123456789abcdef0123456789abcdef", "--profile", "beta", "--trace"]),
      run(["batch", "get", "0123456789abcdef0123456789abcdef", "--profile", "beta", "--json"]),
      run(["ingest", "people.json", "--profile", "alpha", "--trace"]),
      run(["ingest", "broken.json", "--profile", "beta", "--trace", "--json"]),
      run(["batch", "list", "--profile", "nosuch"]),
      run(["batch", "list"], { AEP_ORG_ID: alpha.orgId, AEP_API_KEY: alpha.apiKey })
    ])
    await run(["batch", "complete", id, "--profile", "beta"])
    results.push(await run(["batch", "wait", id, "--profile", "beta", "--trace"]))
    results.push(await run(["batch", "errors", id, "--profile", "beta", "--trace"]))

    const issued = [...b.emulator.state.tokens.keys()].filter((token) => token !== Demo.accessToken)
    assert.isAtLeast(issued.length, 1)
    const secrets = [alpha.accessToken, beta.clientSecret, ...issued]
    for (const [index, result] of results.entries()) {
      const printed = result.stdout + result.stderr
      for (const secret of secrets) assert.notInclude(printed, secret, `command #${index} printed a secret`)
      // Traces, errors and warnings (standard error) and the configuration never show the API key.
      const configuration = index < 4 ? result.stdout : ""
      for (const key of [alpha.apiKey, beta.apiKey]) {
        assert.notInclude(result.stderr + configuration, key, `command #${index} printed an API key`)
      }
    }
    // The commands did run (and traced): the check above is not vacuous.
    assert.include(results[4]!.stderr, "Files.upload")
    assert.include(results[9]!.stderr, "Ingest.run")
    assert.strictEqual(results[11]!.code, 2)
    assert.include(results[11]!.stderr, `there is no profile "nosuch" in ${file}; it has alpha, bare, beta`)
  })

  it("a bad profiles file or a secret others can read is reported", async () => {
    const bad = join(dir, "bad.json")
    writeFileSync(bad, JSON.stringify({ profiles: { x: { orgID: "typo@AdobeOrg" } } }))
    const notJson = join(dir, "broken-config.json")
    writeFileSync(notJson, "{ profiles: ")
    const open = join(dir, "open.json")
    writeFileSync(open, JSON.stringify({ profiles: { alpha: { platformUrl: a.url, ...alpha } } }))
    chmodSync(open, 0o644)
    const [unknownKey, invalid, missingFile, readable] = await Promise.all([
      run(["batch", "list", "--profile", "x"], { AEP_CONFIG: bad }),
      run(["config", "list"], { AEP_CONFIG: notJson }),
      run(["batch", "list", "--profile", "x"], { AEP_CONFIG: join(dir, "absent.json") }),
      run(["batch", "list", "--profile", "alpha"], { AEP_CONFIG: open })
    ])
    assert.strictEqual(unknownKey.code, 2)
    assert.include(unknownKey.stderr, `profile "x" in ${bad} has an unknown key "orgID"`)
    assert.strictEqual(invalid.code, 2)
    assert.include(invalid.stderr, "is not valid JSON")
    assert.strictEqual(missingFile.code, 2)
    assert.include(missingFile.stderr, "there is no profiles file at")
    assert.strictEqual(readable.code, 0, readable.stderr)
    assert.include(readable.stderr, `warning: ${open} holds secrets and other users can read it; run: chmod 600 ${open}`)
  })
})
