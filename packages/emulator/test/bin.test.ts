import { assert, describe, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import * as Demo from "../src/Demo.js"

// The built bin, as a user runs it (`pnpm test` builds before it tests).
const bin = fileURLToPath(new URL("../bin/aep-emulator.js", import.meta.url))

/** Starts `aep-emulator --port 0` and resolves with its banner once it is ready. */
const startBin = () =>
  new Promise<{ banner: string; url: string; stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] })
    let out = ""
    const timer = setTimeout(() => reject(new Error(`no banner within 20 s: ${out}`)), 20_000)
    child.stdout.on("data", (chunk) => {
      out += chunk
      const url = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/)?.[1]
      if (url !== undefined && out.includes("}'")) {
        clearTimeout(timer)
        resolve({ banner: out, url, stop: () => child.kill("SIGINT") })
      }
    })
    child.on("exit", (code) => reject(new Error(`aep-emulator exited with ${code}: ${out}`)))
  })

/** The printed curl command's method, URL, headers and body. */
const parseCurl = (command: string) => {
  const url = command.match(/curl -X POST '([^']+)'/)![1]!
  const headers = Object.fromEntries(
    [...command.matchAll(/-H '([^:]+): ([^']*)'/g)].map((m) => [m[1]!, m[2]!])
  )
  const body = command.match(/-d '([^']*)'/s)![1]!
  return { url, headers, body }
}

describe("aep-emulator", () => {
  it("prints its URL, the demo values and a curl line that creates a batch", async () => {
    assert.isTrue(existsSync(bin))
    const emulator = await startBin()
    try {
      for (const value of [Demo.orgId, Demo.apiKey, Demo.clientSecret, Demo.accessToken, Demo.datasetId]) {
        assert.include(emulator.banner, value)
      }
      const curl = emulator.banner.slice(emulator.banner.indexOf("curl -X POST"))
      const parsed = parseCurl(curl)
      assert.strictEqual(parsed.url, `${emulator.url}/data/foundation/import/batches`)
      const response = await fetch(parsed.url, { method: "POST", headers: parsed.headers, body: parsed.body })
      assert.strictEqual(response.status, 201)
      const batch = await response.json() as { status: string; relatedObjects: Array<{ id: string }> }
      assert.strictEqual(batch.status, "loading")
      assert.strictEqual(batch.relatedObjects[0]!.id, Demo.datasetId)

      // And the command itself, pasted into a shell, where curl is installed.
      if (spawnSync("curl", ["--version"]).status === 0) {
        const output = execFileSync("sh", ["-c", `${curl.trim()} -s -w '\\n%{http_code}'`], { encoding: "utf8" })
        assert.match(output.trim(), /"status":"loading"[\s\S]*\n201$/)
      }
    } finally {
      emulator.stop()
    }
  })

  it("refuses a bad --port with a usage message and exit code 2", () => {
    const result = spawnSync(process.execPath, [bin, "--port", "70000"], { encoding: "utf8" })
    assert.strictEqual(result.status, 2)
    assert.include(result.stderr, "--port must be a whole number from 0 to 65535")
    assert.include(result.stderr, "Usage: aep-emulator")
  })
})
