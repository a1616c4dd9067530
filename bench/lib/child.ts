/**
 * Benchmarks run in child processes: servers and clients each get a core of their own (the
 * machine has two), a client's memory is measured alone, and a cold start is really cold.
 * Children are the compiled `build/bench` scripts run by plain `node`, resolving the packages as
 * published (see `layout.ts`), so no TypeScript loader sits in any measurement.
 */
import { type ChildProcess, fork, spawn } from "node:child_process"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"

/** The compiled `build/bench` folder. */
export const benchRoot = join(dirname(fileURLToPath(import.meta.url)), "..")

export const script = (relative: string): string => join(benchRoot, relative)

/** The first message a child sends over IPC. */
const firstMessage = <A>(child: ChildProcess, what: string): Promise<A> =>
  new Promise((resolve, reject) => {
    const onExit = (code: number | null) => reject(new Error(`${what} exited (${code}) before answering`))
    child.once("exit", onExit)
    child.once("message", (message) => {
      child.off("exit", onExit)
      resolve(message as A)
    })
  })

export interface Server {
  readonly url: string
  readonly child: ChildProcess
  /** Asks the server for something over IPC (e.g. its CPU time) and waits for the answer. */
  readonly ask: <A>(message: unknown) => Promise<A>
  readonly stop: () => Promise<void>
}

/**
 * Node options for every benchmark process: `--cpu-prof` on `main.js`'s command line writes a CPU
 * profile of each client and server into build/bench-profiles (open them in Chrome's DevTools).
 */
export const childExecArgv: Array<string> = []

/** Starts a server script, which answers `{ url }` once it listens. */
export const startServer = async (relative: string, args: ReadonlyArray<string> = []): Promise<Server> => {
  const child = fork(script(relative), [...args], { execArgv: childExecArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] })
  const { url } = await firstMessage<{ url: string }>(child, relative)
  return {
    url,
    child,
    ask: <A>(message: unknown) => {
      const answer = firstMessage<A>(child, relative)
      child.send(message as object)
      return answer
    },
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once("exit", () => resolve())
        child.kill("SIGTERM")
      })
  }
}

/** Runs a client script to its end and returns the result it sent over IPC. */
export const runClient = async <A>(relative: string, input: unknown): Promise<A> => {
  const child = fork(script(relative), [JSON.stringify(input)], {
    execArgv: childExecArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"]
  })
  const result = await firstMessage<{ ok: true; value: A } | { ok: false; error: string }>(child, relative)
  await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once("exit", () => resolve())))
  if (!result.ok) throw new Error(`${relative}: ${result.error}`)
  return result.value
}

/** Runs a script with no IPC channel (as a user's process starts) and returns its stdout. */
export const runPlain = (relative: string, args: ReadonlyArray<string>): Promise<{ stdout: string; wallMs: number }> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const child = spawn(process.execPath, [script(relative), ...args], { stdio: ["ignore", "pipe", "inherit"] })
    let stdout = ""
    child.stdout.setEncoding("utf8").on("data", (text: string) => (stdout += text))
    child.once("error", reject)
    child.once("exit", (code) => {
      const wallMs = performance.now() - started
      if (code === 0) resolve({ stdout, wallMs })
      else reject(new Error(`${relative} exited with ${code}`))
    })
  })

/**
 * The body of a client script: reads its input from argv, runs, and sends the result (or the
 * error) to the parent, then exits.
 */
export const clientMain = <I, A>(run: (input: I) => Promise<A>): void => {
  const input = JSON.parse(process.argv[2] ?? "null") as I
  run(input).then(
    (value) => process.send!({ ok: true, value }, () => process.exit(0)),
    (error: unknown) =>
      process.send!({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }, () =>
        process.exit(1))
  )
}

/** The body of a server script: tells the parent its URL, answers CPU-time questions. */
export const serverReady = (url: string): void => {
  process.send!({ url })
  process.on("message", (message: { type?: string }) => {
    if (message.type === "usage") {
      process.send!({ cpu: process.cpuUsage(), rss: process.memoryUsage.rss(), maxRssKb: process.resourceUsage().maxRSS })
    }
  })
  process.on("SIGTERM", () => process.exit(0))
  // The parent going away ends the server too: no stray processes after a failed run.
  process.on("disconnect", () => process.exit(0))
}
