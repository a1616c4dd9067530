import { assert, describe, it } from "@effect/vitest"
import { type ChildProcess, execFile, spawn } from "node:child_process"
import { chmodSync, readFileSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { aep, baseEnv, bin, workdir } from "./support.js"

const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")
const block = (name: string) => readme.match(new RegExp(`<!-- ${name}:start -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``))![1]!

/** `aep emulator ARGS…` as a subprocess, once it printed its banner. */
const startEmulator = (...args: Array<string>) =>
  new Promise<{ banner: string; url: string; child: ChildProcess }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "emulator", ...args], { env: baseEnv(), stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    const timer = setTimeout(() => reject(new Error(`no banner within 20 s: ${out}`)), 20_000)
    child.stdout.on("data", (chunk) => {
      out += chunk
      const url = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1]
      if (url !== undefined && out.includes("Press Ctrl-C to stop.")) {
        clearTimeout(timer)
        resolve({ banner: out, url, child })
      }
    })
    child.on("exit", (code) => reject(new Error(`aep emulator exited with ${code}: ${out}`)))
  })

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.removeAllListeners("exit")
    child.on("exit", (code) => resolve(code))
    child.kill("SIGINT")
  })

describe("the README", () => {
  it("walks a batch to success and a failed one to its row errors, with aep and aep emulator alone", async () => {
    const emulator = await startEmulator("--port", "0", "--processing-delay", "200")
    try {
      // The newcomer copies the line the emulator printed; the README shows the same line.
      const exported = block("walkthrough").match(/^export [^\n]*\\\n[^\n]*$/m)![0]!
      assert.include(emulator.banner, exported.replace("http://127.0.0.1:4010", emulator.url))

      // `aep` on the PATH, as an installed bin would be.
      const dir = workdir()
      const shim = join(dir, "aep")
      writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${bin}" "$@"\n`)
      chmodSync(shim, 0o755)
      const env = { ...baseEnv(), PATH: `${dir}:${process.env["PATH"] ?? ""}` }
      const script = block("walkthrough").replace("http://127.0.0.1:4010", emulator.url) + block("failure")
      const output = await new Promise<string>((resolve, reject) =>
        execFile("bash", ["-e", "-c", script], { cwd: dir, env, encoding: "utf8" }, (error, stdout, stderr) =>
          error === null ? resolve(stdout + stderr) : reject(new Error(`${error.message}\n${stdout}\n${stderr}`)))
      )
      // upload, complete, wait, get
      assert.match(output, /^people\.json\s+32 B\s+one PUT$/m)
      assert.match(output, /^COMPLETE accepted: batch [0-9a-f]{32} is now \w+$/m)
      const successes = output.match(/^status:\s+success$/gm) ?? []
      assert.isAtLeast(successes.length, 2, output)
      assert.match(output, /^records:\s+2$/m)
      // the failure and its diagnosis
      assert.include(output, "aep ingest exited with 3")
      assert.match(output, /^Batch [0-9a-f]{32} ended failed\.$/m)
      assert.match(output, /^INGEST-1401-400\s+1\s+/m)
      assert.match(output, /^broken\.json\s+32 B$/m)
      assert.match(output, /^Row errors \(1\):$/m)
      assert.match(output, /^broken\.json\s+1401\s+.*this is not json$/m)
    } finally {
      assert.strictEqual(await stop(emulator.child), 130)
    }
  })

  it("aep emulator on a port that is taken exits 4", async () => {
    const emulator = await startEmulator("--port", "0")
    try {
      const port = new URL(emulator.url).port
      const second = await aep(["emulator", "--port", port], { env: baseEnv() })
      assert.strictEqual(second.code, 4)
      assert.include(second.stderr, "could not listen")
      const bad = await aep(["emulator", "--port", "70000"], { env: baseEnv() })
      assert.strictEqual(bad.code, 2)
    } finally {
      await stop(emulator.child)
    }
  })
})
