import { assert, describe, it } from "@effect/vitest"
import { execFileSync, spawn, spawnSync } from "node:child_process"
import { existsSync, mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as Demo from "../src/Demo.js"

// The built bin, as a user runs it (`pnpm test` builds before it tests).
const bin = fileURLToPath(new URL("../bin/aep-emulator.js", import.meta.url))

/** Starts `aep-emulator --port 0` and resolves with its banner once it is ready. */
const startBin = (...args: Array<string>) =>
  new Promise<{ banner: string; url: string; stop: () => void }>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, "--port", "0", ...args], { stdio: ["ignore", "pipe", "pipe"] })
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

  const hasCurl = spawnSync("curl", ["--version"]).status === 0
  const readme = readFileSync(fileURLToPath(new URL("../README.md", import.meta.url)), "utf8")
  const block = (name: string) => readme.match(new RegExp(`<!-- ${name}:start -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``))![1]!

  // The package README promises that curl alone walks a batch to success and to failed.
  it.skipIf(!hasCurl)("the README's curl walkthroughs reach success and failed", async () => {
    const emulator = await startBin()
    try {
      const script = block("walkthrough").replace("http://127.0.0.1:4010", emulator.url) + block("failure")
      const output = execFileSync("bash", ["-c", script], { encoding: "utf8", cwd: mkdtempSync(join(tmpdir(), "aep-walk-")) })
      const answers = output.split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line))
      const [succeeded, failed, failedFiles, rowError] = answers
      const only = (keyed: Record<string, any>) => Object.values(keyed)[0]
      assert.strictEqual(only(succeeded).status, "success")
      assert.strictEqual(only(succeeded).recordCount, 2)
      assert.strictEqual(only(failed).status, "failed")
      assert.strictEqual(only(failed).failedRecordCount, 1)
      assert.strictEqual(failedFiles.data[0].name, "broken.json")
      assert.strictEqual(rowError._corrupt_record, "this is not json")
      assert.match(output, /upload: 201[\s\S]*complete: 200[\s\S]*upload: 201[\s\S]*complete: 200/)
    } finally {
      emulator.stop()
    }
  })

  it("takes its options: extra datasets and the processing delay", async () => {
    const emulator = await startBin("--dataset", "extra_dataset_1", "--processing-delay", "0", "--files-per-batch", "1")
    try {
      const headers = {
        authorization: `Bearer ${Demo.accessToken}`,
        "x-api-key": Demo.apiKey,
        "x-gw-ims-org-id": Demo.orgId,
        "content-type": "application/json"
      }
      const created = await fetch(`${emulator.url}/data/foundation/import/batches`, {
        method: "POST",
        headers,
        body: JSON.stringify({ datasetId: "extra_dataset_1", inputFormat: { format: "csv" } })
      })
      assert.strictEqual(created.status, 201)
      const { id } = await created.json() as { id: string }
      const files = `${emulator.url}/data/foundation/import/batches/${id}/datasets/extra_dataset_1/files`
      const put = (name: string) =>
        fetch(`${files}/${name}`, {
          method: "PUT",
          headers: { ...headers, "content-type": "application/octet-stream" },
          body: "a,b\n1,2\n"
        })
      assert.strictEqual((await put("one.csv")).status, 201)
      assert.strictEqual((await put("two.csv")).status, 400)
      await fetch(`${emulator.url}/data/foundation/import/batches/${id}?action=COMPLETE`, { method: "POST", headers })
      const read = await fetch(`${emulator.url}/data/foundation/catalog/batches/${id}`, { headers })
      const batch = (await read.json() as Record<string, { status: string; recordCount: number }>)[id]!
      assert.strictEqual(batch.status, "success")
      assert.strictEqual(batch.recordCount, 1)
    } finally {
      emulator.stop()
    }
  })

  it("--help lists the options and exits 0", () => {
    const result = spawnSync(process.execPath, [bin, "--help"], { encoding: "utf8" })
    assert.strictEqual(result.status, 0)
    for (const option of ["--port", "--processing-delay", "--token-lifetime", "--small-file-limit", "--discard-files"]) {
      assert.include(result.stdout, option)
    }
  })

  it("refuses a bad --port with a usage message and exit code 2", () => {
    const result = spawnSync(process.execPath, [bin, "--port", "70000"], { encoding: "utf8" })
    assert.strictEqual(result.status, 2)
    assert.include(result.stderr, "--port must be a whole number from 0 to 65535")
    assert.include(result.stderr, "Usage: aep-emulator")
  })
})
