import { Demo, Emulator } from "@effect-aep/emulator"
import { spawn } from "node:child_process"
import { createServer } from "node:net"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Effect, Exit, Scope } from "effect"

/** The built bin, as a user runs it (`pnpm test` builds before it tests). */
export const bin = fileURLToPath(new URL("../bin/aep.js", import.meta.url))

export interface Running {
  readonly url: string
  readonly emulator: Emulator.Emulator
  readonly stop: () => Promise<void>
}

/** An emulator on a free loopback port, in this process. */
export const startEmulator = async (options: Emulator.Options = {}): Promise<Running> => {
  const scope = Effect.runSync(Scope.make())
  const emulator = await Effect.runPromise(
    Emulator.start({ processingDelayMillis: 100, ...options }).pipe(Scope.extend(scope))
  )
  return { url: emulator.url, emulator, stop: () => Effect.runPromise(Scope.close(scope, Exit.void)) }
}

/** The environment that points `aep` at an emulator, with nothing of the caller's `AEP_*`. */
export const demoEnv = (url: string, extra: Record<string, string> = {}): Record<string, string> => ({
  ...baseEnv(),
  AEP_PLATFORM_URL: url,
  AEP_ORG_ID: Demo.orgId,
  AEP_API_KEY: Demo.apiKey,
  AEP_ACCESS_TOKEN: Demo.accessToken,
  ...extra
})

/** The process environment without any `AEP_*` variable, and with a profiles file that does not exist. */
export const baseEnv = (): Record<string, string> => {
  const env: Record<string, string> = {}
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("AEP_") && name !== "NO_COLOR" && name !== "FORCE_COLOR") env[name] = value
  }
  env["AEP_CONFIG"] = join(tmpdir(), "aep-test-no-such-config.json")
  return env
}

export interface Result {
  readonly code: number | null
  readonly stdout: string
  readonly stderr: string
}

/** Runs `aep ARGS…` as a subprocess (stdout and stderr are pipes: not a terminal). */
export const aep = (args: ReadonlyArray<string>, options: { env: Record<string, string>; cwd?: string; timeoutMs?: number }) =>
  new Promise<Result>((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: options.env,
      cwd: options.cwd ?? process.cwd(),
      stdio: ["ignore", "pipe", "pipe"]
    })
    let stdout = ""
    let stderr = ""
    child.stdout.on("data", (chunk) => (stdout += chunk))
    child.stderr.on("data", (chunk) => (stderr += chunk))
    const timer = setTimeout(() => {
      child.kill("SIGKILL")
      reject(new Error(`aep ${args.join(" ")} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`))
    }, options.timeoutMs ?? 30_000)
    child.on("error", reject)
    child.on("close", (code) => {
      clearTimeout(timer)
      resolve({ code, stdout, stderr })
    })
  })

/** A fresh directory with the given files in it. */
export const workdir = (files: Record<string, string | Uint8Array> = {}): string => {
  const dir = mkdtempSync(join(tmpdir(), "aep-cli-"))
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
  return dir
}

/** Two good JSON lines and a file with one good and one corrupt row. */
export const people = "{\"name\":\"Ada\"}\n{\"name\":\"Grace\"}\n"
export const broken = "{\"name\":\"Ada\"}\nthis is not json\n"

/** The parsed JSON of a command's standard output. */
export const json = <A = any>(result: Result): A => {
  try {
    return JSON.parse(result.stdout) as A
  } catch {
    throw new Error(`not JSON (exit ${result.code}):\n${result.stdout}\nstderr: ${result.stderr}`)
  }
}

/** A loopback URL that nothing listens on: a port that was free a moment ago. */
export const closedUrl = () =>
  new Promise<string>((resolve, reject) => {
    const server = createServer()
    server.on("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      const port = typeof address === "object" && address !== null ? address.port : 0
      server.close(() => resolve(`http://127.0.0.1:${port}`))
    })
  })
