/**
 * Cold start with the library: import what a program using it imports, and build the Node
 * layer into a runtime. Prints one JSON line of timings (ms); `bootMs` is Node's own start-up
 * before this script ran.
 */
const bootMs = performance.now()
const [{ ManagedRuntime }, { AepNode }] = await Promise.all([
  import("effect"),
  import("@effect-aep/node"),
  import("@effect-aep/core")
])
const imported = performance.now()
const runtime = ManagedRuntime.make(AepNode.layer({
  orgId: "EMULATOR0000000000000000@AdobeOrg",
  apiKey: "emulator-client",
  accessToken: "emulator-token"
}))
await runtime.runtime()
const built = performance.now()
process.stdout.write(`${JSON.stringify({ bootMs, importMs: imported - bootMs, buildMs: built - imported })}\n`)
await runtime.dispose()
