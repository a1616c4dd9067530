/**
 * `pnpm bench`: runs every benchmark, prints the table and writes BENCHMARKS.md. Every figure
 * stands next to a baseline measured in the same run, in rounds that alternate ours and the
 * baseline; what is shown is the median over rounds and the spread (min–max), and ratios are of
 * paired rounds.
 *
 * `--quick` runs fewer rounds and smaller files, to try the harness out (its figures are not
 * written to BENCHMARKS.md unless `--write` is given too); `--only=percall,emulator,token,upload,
 * bundle,coldstart` runs some; `--cpu-prof` profiles every client and server process.
 *
 * Needs the packages built (`tsc -b`, which also compiles this folder into build/bench).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os"
import { join } from "node:path"
import type * as CreateClient from "./clients/create.js"
import type * as TokenClient from "./clients/token.js"
import type * as UploadClient from "./clients/upload.js"
import { measure } from "./lib/bundle.js"
import { childExecArgv, runClient, runPlain, type Server, startServer } from "./lib/child.js"
import * as Control from "./lib/emulatorControl.js"
import * as JsonLines from "./lib/jsonLines.js"
import { prepare, repoRoot } from "./lib/layout.js"
import { pairedRatios, type Summary, summarize } from "./lib/stats.js"

const quick = process.argv.includes("--quick")
const write = !quick || process.argv.includes("--write")
const startedAt = new Date()
const started = performance.now()
const loadBefore = loadavg()

interface Row {
  readonly group: string
  readonly metric: string
  readonly ours: string
  readonly baseline: string
  readonly comparison: string
  readonly target: string
  /** Undefined: no target, for information. */
  readonly met: boolean | undefined
}

const rows: Array<Row> = []
const notes: Array<string> = []

// ---------------------------------------------------------------------------------------------
// Formatting

const digits = (value: number): string =>
  !Number.isFinite(value)
    ? String(value)
    : Math.abs(value) >= 100
    ? value.toFixed(0)
    : Math.abs(value) >= 10
    ? value.toFixed(1)
    : value.toFixed(2)

const spread = (s: Summary, unit = ""): string =>
  s.n <= 1 ? `${digits(s.median)}${unit}` : `${digits(s.median)}${unit} [${digits(s.min)}–${digits(s.max)}]`

const log = (line: string) => process.stdout.write(`${line}\n`)

const progress = (line: string) => log(`[${((performance.now() - started) / 1000).toFixed(0).padStart(3)} s] ${line}`)

// ---------------------------------------------------------------------------------------------
// 1 and 2: creates

const createRounds = quick ? 2 : 5

/** Runs the modes one after another, in a rotated order each round. */
const createRoundsOf = async (
  modes: ReadonlyArray<CreateClient.Mode>,
  input: Omit<CreateClient.Input, "mode">,
  rounds: number,
  between?: () => Promise<void>
): Promise<Record<string, Array<CreateClient.Output>>> => {
  const runs: Record<string, Array<CreateClient.Output>> = Object.fromEntries(modes.map((mode) => [mode, []]))
  for (let round = 0; round < rounds; round++) {
    const order = modes.map((_, i) => modes[(i + round) % modes.length]!)
    for (const mode of order) {
      if (between !== undefined) await between()
      runs[mode]!.push(await runClient<CreateClient.Output>("clients/create.js", { ...input, mode }))
    }
  }
  return runs
}

interface Target {
  readonly text: string
  readonly met: (ratio: number) => boolean
}

/** A row of ours against a baseline, the ratio of paired rounds checked against the target. */
const compare = (
  group: string,
  metric: string,
  ours: ReadonlyArray<number>,
  baseline: ReadonlyArray<number>,
  baselineName: string,
  target?: Target
) => {
  const r = pairedRatios(ours, baseline)
  rows.push({
    group,
    metric,
    ours: spread(summarize(ours)),
    baseline: `${spread(summarize(baseline))} (${baselineName})`,
    comparison: spread(r, "×"),
    target: target?.text ?? "",
    met: target?.met(r.median)
  })
}

const perCall = async () => {
  progress("1. per-call overhead: canned 201 server on loopback")
  const server = await startServer("servers/canned.js")
  try {
    const runs = await createRoundsOf(["fetch", "undici", "aep"], {
      url: server.url,
      warmupMs: quick ? 300 : 500,
      latencyCalls: quick ? 500 : 2000,
      concurrency: [1, 16, 64],
      windowMs: quick ? 500 : 1000
    }, createRounds)
    const group = "1. per call (canned 201)"
    // The targets are against fetch; undici.request (the transport alone) is for information.
    for (const [baseline, name] of [["fetch", "fetch"], ["undici", "undici.request"]] as const) {
      const row = (metric: string, f: (o: CreateClient.Output) => number, target?: Target) => {
        const checked = baseline === "fetch" ? target : undefined
        compare(group, `${metric} vs ${name}`, runs["aep"]!.map(f), runs[baseline]!.map(f), name, checked)
      }
      const latency = { text: "≤ 1.15×", met: (r: number) => r <= 1.15 }
      const throughput = { text: "≥ 0.85×", met: (r: number) => r >= 0.85 }
      row("sequential latency, median (µs)", (o) => o.latency!.median, latency)
      row("sequential latency, p99 (µs)", (o) => o.latency!.p99, latency)
      for (const c of [1, 16, 64]) row(`throughput at concurrency ${c} (req/s)`, (o) => o.throughput[c]!, throughput)
      row("client CPU per call (µs)", (o) => o.cpuPerCall)
    }
  } finally {
    await server.stop()
  }
}

const throughEmulator = async () => {
  progress("2. through the emulator (separate process)")
  const emulator = await startServer("servers/emulator.js", ["{}"])
  const bare = await startServer("servers/bare.js")
  try {
    const group = "2. through the emulator"
    const input = { warmupMs: quick ? 300 : 500, latencyCalls: 0, concurrency: [64], windowMs: quick ? 500 : 1000 }
    const clients = await createRoundsOf(
      ["fetch", "aep"],
      { ...input, url: emulator.url },
      createRounds,
      () => Control.reset(emulator.url)
    )
    compare(
      group,
      "client throughput at concurrency 64 (req/s)",
      clients["aep"]!.map((o) => o.throughput[64]!),
      clients["fetch"]!.map((o) => o.throughput[64]!),
      "fetch",
      { text: "≥ 0.85×", met: (r) => r >= 0.85 }
    )
    // The servers under the same load: undici.request, the cheapest client here, at 64 in flight.
    const rates: Record<string, Array<number>> = { emulator: [], bare: [] }
    const cpuPerRequest: Record<string, Array<number>> = { emulator: [], bare: [] }
    for (let round = 0; round < createRounds; round++) {
      for (const name of round % 2 === 0 ? ["emulator", "bare"] : ["bare", "emulator"]) {
        const server: Server = name === "emulator" ? emulator : bare
        if (name === "emulator") await Control.reset(emulator.url)
        const before = await server.ask<{ cpu: NodeJS.CpuUsage }>({ type: "usage" })
        const output = await runClient<CreateClient.Output>("clients/create.js", {
          ...input,
          mode: "undici",
          url: server.url
        })
        const after = await server.ask<{ cpu: NodeJS.CpuUsage }>({ type: "usage" })
        rates[name]!.push(output.throughput[64]!)
        // The server's CPU time while the client ran, per request it answered.
        const cpuMicros = after.cpu.user + after.cpu.system - before.cpu.user - before.cpu.system
        cpuPerRequest[name]!.push(cpuMicros / output.answered)
      }
    }
    compare(group, "server throughput, concurrency 64 (req/s)", rates["emulator"]!, rates["bare"]!, "bare node:http", {
      text: "≥ 0.5×",
      met: (r) => r >= 0.5
    })
    compare(group, "server CPU per create (µs)", cpuPerRequest["emulator"]!, cpuPerRequest["bare"]!, "bare node:http")
  } finally {
    await emulator.stop()
    await bare.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// 3: token single-flight

const tokenSingleFlight = async () => {
  progress("3. token single-flight: 1000 concurrent creates, cold vs warm token cache")
  const emulator = await startServer("servers/emulator.js", ["{}"])
  try {
    const output = await runClient<TokenClient.Output>("clients/token.js", {
      url: emulator.url,
      rounds: quick ? 2 : 5,
      burst: 1000
    })
    const group = "3. token single-flight (1000 concurrent creates)"
    const tokens = output.cold.map((b) => b.tokenRequests)
    rows.push({
      group,
      metric: "token requests to IMS, cold cache",
      ours: spread(summarize(tokens)),
      baseline: `${spread(summarize(output.warm.map((b) => b.tokenRequests)))} (warm cache)`,
      comparison: "",
      target: "= 1 every round",
      met: tokens.every((n) => n === 1)
    })
    const added = (f: (b: TokenClient.Burst) => number) => output.cold.map((b, i) => f(b) - f(output.warm[i]!))
    for (const [metric, f] of [
      ["burst wall time (ms)", (b: TokenClient.Burst) => b.wallMs],
      ["per-create latency, median (ms)", (b: TokenClient.Burst) => b.p50Ms],
      ["per-create latency, p99 (ms)", (b: TokenClient.Burst) => b.p99Ms]
    ] as const) {
      rows.push({
        group,
        metric,
        ours: `${spread(summarize(output.cold.map(f)))} (cold)`,
        baseline: `${spread(summarize(output.warm.map(f)))} (warm cache)`,
        comparison: `${spread(summarize(added(f)), " ms")} added`,
        target: "",
        met: undefined
      })
    }
  } finally {
    await emulator.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// 4: streaming upload

const MiB = 1024 * 1024

// The emulator reads each PATCH body with @effect/platform-node's `arrayBuffer`, which grows its
// buffer by `Buffer.concat` per socket read: quadratic in the chunk size. At 32 MiB chunks it takes
// about 12 MiB/s; at 8 MiB chunks (the library's default) about 40 MiB/s (its JSON-lines
// validation), which keeps 2 GiB within the 10-minute budget.
const uploadPlan: ReadonlyArray<{ readonly mebibytes: number; readonly chunkMiB: number; readonly rounds: number }> = quick
  ? [{ mebibytes: 64, chunkMiB: 8, rounds: 2 }]
  : [
    { mebibytes: 64, chunkMiB: 8, rounds: 4 },
    { mebibytes: 512, chunkMiB: 8, rounds: 2 },
    // One round: about 50 s per upload at the emulator's pace, and the budget is 10 minutes.
    { mebibytes: 2048, chunkMiB: 8, rounds: 1 }
  ]

const upload = async () => {
  progress("4. streaming upload: large-file protocol, emulator discarding bytes in its own process")
  const emulator = await startServer("servers/emulator.js", [JSON.stringify({ retainFiles: false })])
  const directory = mkdtempSync(join(tmpdir(), "effect-aep-bench-"))
  try {
    for (const { mebibytes, chunkMiB, rounds } of uploadPlan) {
      const file = join(directory, `people-${mebibytes}.json`)
      const generated = performance.now()
      JsonLines.write(file, mebibytes)
      const label = mebibytes >= 1024 ? `${mebibytes / 1024} GiB` : `${mebibytes} MiB`
      const writeSeconds = ((performance.now() - generated) / 1000).toFixed(1)
      progress(`   ${label} in ${chunkMiB} MiB chunks (file written in ${writeSeconds} s), ${rounds} rounds`)
      const runs: Record<string, Array<UploadClient.Output>> = { aep: [], raw: [] }
      for (let round = 0; round < rounds; round++) {
        for (const mode of round % 2 === 0 ? ["aep", "raw"] as const : ["raw", "aep"] as const) {
          runs[mode]!.push(
            await runClient<UploadClient.Output>("clients/upload.js", {
              mode,
              url: emulator.url,
              file,
              chunkSize: chunkMiB * MiB
            })
          )
        }
      }
      rmSync(file)
      const group = `4. upload ${label}, ${chunkMiB} MiB chunks`
      const pick = (mode: string, f: (o: UploadClient.Output) => number) => runs[mode]!.map(f)
      const raw = "raw http.request"
      const throughput = (o: UploadClient.Output) => o.bytes / MiB / o.seconds
      const target = { text: "≥ 0.8×", met: (r: number) => r >= 0.8 }
      compare(group, "throughput (MiB/s)", pick("aep", throughput), pick("raw", throughput), raw, target)
      const growth = pick("aep", (o) => o.peakGrowthMb)
      rows.push({
        group,
        metric: "client peak RSS growth (MiB)",
        ours: spread(summarize(growth)),
        baseline: `${spread(summarize(pick("raw", (o) => o.peakGrowthMb)))} (${raw})`,
        comparison: "",
        target: "< 64 MiB",
        met: Math.max(...growth) < 64
      })
      const cpuPerGiB = (o: UploadClient.Output) => o.cpuSeconds / (o.bytes / 1024 / MiB)
      compare(group, "client CPU per GiB (s)", pick("aep", cpuPerGiB), pick("raw", cpuPerGiB), raw)
    }
  } finally {
    rmSync(directory, { recursive: true, force: true })
    await emulator.stop()
  }
}

// ---------------------------------------------------------------------------------------------
// 5: edge bundle

const edgeBundle = async () => {
  progress("5. edge bundle: esbuild --minify, gzip")
  const example = "examples/edge-worker.ts"
  const floorEntry = "bench/edge/baseline-worker.ts"
  const ours = await measure(example, repoRoot)
  const floor = await measure(floorEntry, repoRoot)
  const oursDeep = await measure(example, repoRoot, { deepEffectImports: true })
  const floorDeep = await measure(floorEntry, repoRoot, { deepEffectImports: true })
  const group = "5. edge bundle (deterministic)"
  const kb = (bytes: number) => (bytes / 1024).toFixed(1)
  const floorName = "floor: effect + Schema + FetchHttpClient"
  const sizeRow = (metric: string, a: number, b: number, name: string, target?: boolean) => {
    rows.push({
      group,
      metric,
      ours: kb(a),
      baseline: `${kb(b)} (${name})`,
      comparison: `+${kb(a - b)} KiB (${(a / b).toFixed(2)}×)`,
      target: target === true ? "overhead ≤ 15 KiB" : "",
      met: target === true ? a - b <= 15 * 1024 : undefined
    })
  }
  sizeRow("edge-worker.ts minified (KiB)", ours.minified, floor.minified, floorName)
  sizeRow("edge-worker.ts minified + gzip (KiB)", ours.gzipped, floor.gzipped, floorName, true)
  sizeRow("both with deep effect/* imports, gzip (KiB)", oursDeep.gzipped, floorDeep.gzipped, "floor, deep imports")
  sizeRow("edge-worker.ts as shipped vs the deep floor, gzip (KiB)", ours.gzipped, floorDeep.gzipped, "floor, deep imports")
  const origins = [...new Set([...Object.keys(ours.byOrigin), ...Object.keys(floor.byOrigin)])]
    .map((name) => [name, ours.byOrigin[name] ?? 0, floor.byOrigin[name] ?? 0] as const)
    .filter(([, a, b]) => a + b > 0)
    .sort((x, y) => y[1] - x[1])
  notes.push([
    "Minified bytes of the two edge bundles by origin:",
    "",
    `| origin | ${example} | ${floorEntry} |`,
    "| --- | ---: | ---: |",
    ...origins.map(([name, a, b]) => `| ${name} | ${a} | ${b} |`)
  ].join("\n"))
}

// ---------------------------------------------------------------------------------------------
// 6: cold start

interface ColdStart {
  /** Node's own start-up before the script ran, as the script saw it. */
  readonly bootMs: number
  readonly importMs: number
  readonly buildMs: number
  /** Spawn to exit, as the parent saw it. */
  readonly wallMs: number
}

const coldStart = async () => {
  const rounds = quick ? 4 : 15
  progress(`6. cold start: ${rounds} fresh processes each`)
  const runs: Record<string, Array<ColdStart>> = { aep: [], base: [] }
  // One of each first, not counted: the first start reads the files from disk.
  for (const name of ["aep", "base"]) await runPlain(`coldstart/${name}.js`, [])
  for (let round = 0; round < rounds; round++) {
    for (const name of round % 2 === 0 ? ["aep", "base"] : ["base", "aep"]) {
      const { stdout, wallMs } = await runPlain(`coldstart/${name}.js`, [])
      runs[name]!.push({ ...(JSON.parse(stdout) as Omit<ColdStart, "wallMs">), wallMs })
    }
  }
  const group = "6. cold start (fresh node process)"
  const row = (metric: string, f: (run: ColdStart) => number) =>
    compare(group, metric, runs["aep"]!.map(f), runs["base"]!.map(f), "effect + @effect/platform, FetchHttpClient")
  row("import (ms)", (r) => r.importMs)
  row("build layers into a runtime (ms)", (r) => r.buildMs)
  row("import + build (ms)", (r) => r.importMs + r.buildMs)
  row("process spawn to exit (ms)", (r) => r.wallMs)
}

// ---------------------------------------------------------------------------------------------

const table = (): string => {
  const header = ["benchmark", "metric", "ours", "baseline", "ours / baseline", "target", "met"]
  const body = rows.map((row) => [
    row.group,
    row.metric,
    row.ours,
    row.baseline,
    row.comparison,
    row.target,
    row.met === undefined ? "" : row.met ? "yes" : "NO"
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)))
  const line = (cells: ReadonlyArray<string>) => cells.map((cell, i) => cell.padEnd(widths[i]!)).join("  ").trimEnd()
  return [line(header), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n")
}

const markdownTable = (): string =>
  [
    "| benchmark | metric | ours | baseline | ours / baseline | target | met |",
    "| --- | --- | ---: | ---: | ---: | --- | --- |",
    ...rows.map((row) =>
      `| ${row.group} | ${row.metric} | ${row.ours} | ${row.baseline} | ${row.comparison} | ${row.target} | ${
        row.met === undefined ? "" : row.met ? "yes" : "**no**"
      } |`
    )
  ].join("\n")

const machine = (): string => {
  const cpu = cpus()
  return [
    `- CPU: ${cpu[0]?.model ?? "unknown"}, ${cpu.length} cores`,
    `- memory: ${(totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- Node ${process.version} on ${process.platform} ${release()}`,
    `- load average (1 min) at start ${loadBefore[0]!.toFixed(2)}, at end ${loadavg()[0]!.toFixed(2)}`
  ].join("\n")
}

const main = async () => {
  prepare()
  if (process.argv.includes("--cpu-prof")) {
    childExecArgv.push("--cpu-prof", `--cpu-prof-dir=${join(repoRoot, "build", "bench-profiles")}`)
  }
  const only = process.argv.find((arg) => arg.startsWith("--only="))?.slice("--only=".length).split(",")
  const benchmarks: ReadonlyArray<readonly [string, () => Promise<void>]> = [
    ["percall", perCall],
    ["emulator", throughEmulator],
    ["token", tokenSingleFlight],
    ["upload", upload],
    ["bundle", edgeBundle],
    ["coldstart", coldStart]
  ]
  for (const [name, run] of benchmarks) {
    if (only === undefined || only.includes(name)) await run()
  }
  const seconds = (performance.now() - started) / 1000
  log("")
  log(table())
  log("")
  log(`medians over rounds, [min–max]; ratios are of paired rounds. ${seconds.toFixed(0)} s.`)
  if (write && only === undefined) {
    writeFileSync(join(repoRoot, "BENCHMARKS.md"), document(seconds))
    log("BENCHMARKS.md written")
  }
}

// The prose of BENCHMARKS.md lives in bench/notes.md; the figures are filled in here.
const document = (seconds: number): string => {
  const prose = readFileSync(join(repoRoot, "bench", "notes.md"), "utf8")
  // Functions as replacements: a `$` in a figure must not be read as a replacement pattern.
  return prose
    .replace("{{date}}", () => startedAt.toISOString())
    .replace("{{machine}}", machine)
    .replace("{{duration}}", () => `${seconds.toFixed(0)} s`)
    .replace("{{table}}", markdownTable)
    .replace("{{notes}}", () => notes.join("\n\n"))
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`)
  process.exit(1)
})
