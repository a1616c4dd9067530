/**
 * Cold start without the library: import `effect` and `@effect/platform` alone and build a
 * runtime with an HTTP client (`FetchHttpClient`), what a program would hand-write instead.
 * Prints the same JSON line as `aep.ts`.
 */
const bootMs = performance.now()
const [{ ManagedRuntime }, { FetchHttpClient }] = await Promise.all([import("effect"), import("@effect/platform")])
const imported = performance.now()
const runtime = ManagedRuntime.make(FetchHttpClient.layer)
await runtime.runtime()
const built = performance.now()
process.stdout.write(`${JSON.stringify({ bootMs, importMs: imported - bootMs, buildMs: built - imported })}\n`)
await runtime.dispose()
