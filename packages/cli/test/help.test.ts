import { NodeContext } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Effect, Layer } from "effect"
import { Cli, ExitCode, Output } from "../src/index.js"
import { aep, baseEnv } from "./support.js"

// Help is text only: it runs in this process (the bin is exercised by the other tests).
const run = (args: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const output = Output.makeCapture()
    const code = yield* Cli.run(args).pipe(
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map())),
      Effect.provide(Layer.merge(NodeContext.layer, Layer.succeed(Output.Output, output)))
    )
    return { code, stdout: output.stdoutText(), stderr: output.stderrText() }
  })

describe("--help", () => {
  it.live("aep --help lists every command, the shared options, the configuration and the exit codes", () =>
    Effect.gen(function*() {
      const { code, stdout } = yield* run(["--help"])
      assert.strictEqual(code, 0)
      for (const [command] of Cli.overview) assert.match(stdout, new RegExp(`^  ${command}\\s{2,}\\S`, "m"))
      for (const option of ["--json", "--profile NAME", "--trace"]) assert.include(stdout, option)
      for (const [exitCode] of ExitCode.table) assert.match(stdout, new RegExp(`^\\s+${exitCode}  \\S`, "m"))
      assert.include(stdout, "AEP_CLIENT_SECRET")
      assert.include(stdout, "Examples:")
      assert.notInclude(stdout, "\u001b", "no colour when the output is not a terminal")
    }))

  it.live("every command answers --help with what it does, its options and examples", () =>
    Effect.gen(function*() {
      for (const [command] of Cli.overview) {
        const { code, stdout } = yield* run([...command.split(" "), "--help"])
        assert.strictEqual(code, 0, command)
        assert.include(stdout, "Examples:", command)
        assert.include(stdout, `aep ${command}`, command)
        assert.include(stdout, "OPTIONS", command)
        if (command !== "emulator" && !command.startsWith("config")) {
          for (const option of ["--json", "--profile", "--trace"]) assert.include(stdout, option, command)
        }
      }
      for (const group of ["batch", "config"]) {
        const { code, stdout } = yield* run([group, "--help"])
        assert.strictEqual(code, 0)
        for (const [command] of Cli.overview.filter(([name]) => name.startsWith(`${group} `))) {
          assert.match(stdout, new RegExp(`^  ${command}\\s{2,}\\S`, "m"))
        }
      }
    }))

  it.live("a bare command or group prints its help and exits 2; so does an unknown command", () =>
    Effect.gen(function*() {
      const bare = yield* run([])
      assert.strictEqual(bare.code, ExitCode.usage)
      assert.include(bare.stdout, "Usage: aep <command> [options]")
      const group = yield* run(["batch"])
      assert.strictEqual(group.code, ExitCode.usage)
      assert.include(group.stdout, "Usage: aep batch <command> [options]")
      const unknown = yield* run(["bach", "list"])
      assert.strictEqual(unknown.code, ExitCode.usage)
      assert.include(unknown.stderr, "aep: unknown command 'bach'. Did you mean 'batch'?")
      const json = yield* run(["batch", "lst", "--json"])
      assert.deepStrictEqual(JSON.parse(json.stderr), {
        error: {
          _tag: "UsageError",
          message:
            "aep batch: unknown command 'lst'. Did you mean 'list'? Commands: create, upload, complete, abort, revert, get, list, wait, errors. Run 'aep batch --help' for usage."
        }
      })
    }))

  it("the bin prints the same help and its version", async () => {
    const [help, version] = await Promise.all([aep(["batch", "wait", "--help"], { env: baseEnv() }), aep(["--version"], { env: baseEnv() })])
    assert.strictEqual(help.code, 0)
    assert.include(help.stdout, "aep batch wait $BATCH --timeout 10m --json")
    assert.strictEqual(version.code, 0)
    assert.strictEqual(version.stdout.trim(), Cli.version)
  })
})
