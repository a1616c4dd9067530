/**
 * The emulator as a running server: `layer` for Effect programs and tests, `start` for a
 * scope-bound server whose URL you hand to a client.
 *
 * @since 0.1.0
 */
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import * as NodeHttpServerRequest from "@effect/platform-node/NodeHttpServerRequest"
import * as Headers from "@effect/platform/Headers"
import * as HttpServerRequest from "@effect/platform/HttpServerRequest"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import type { ServeError } from "@effect/platform/HttpServerError"
import { createServer } from "node:http"
import * as EmulatorApp from "./EmulatorApp.js"
import * as Faults from "./Faults.js"
import * as EmulatorState from "./EmulatorState.js"

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category models
 */
export interface Emulator {
  /** The base URL to use as the platform URL, e.g. `http://127.0.0.1:4010`. */
  readonly url: string
  readonly port: number
  /** Its memory: read it in tests, or seed datasets. */
  readonly state: EmulatorState.EmulatorState
}

/**
 * @since 0.1.0
 * @category tags
 */
export const Emulator: Context.Tag<Emulator, Emulator> = Context.GenericTag<Emulator>("@effect-aep/emulator/Emulator")

/**
 * Where to listen, and what to seed.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options extends EmulatorState.Options {
  /** Default 0: any free port. */
  readonly port?: number | undefined
  /** Default `127.0.0.1`. The emulator has no real security: keep it on loopback. */
  readonly host?: string | undefined
}

/**
 * Starts the emulator; it stops when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = (options: Options = {}): Effect.Effect<Emulator, ServeError, Scope.Scope> =>
  Effect.gen(function*() {
    const state = yield* EmulatorState.make(options)
    const host = options.host ?? "127.0.0.1"
    const server = yield* NodeHttpServer.make(() => createServer(), { port: options.port ?? 0, host })
    const app = EmulatorApp.make(state)
    yield* server.serve(
      Effect.flatMap(HttpServerRequest.HttpServerRequest, (request) =>
        Effect.provideService(app, Faults.Connection, nodeConnection(request)))
    ).pipe(
      // The server's spans and logs show request headers: the org id joins the redacted ones.
      Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, "x-gw-ims-org-id"])
    )
    const port = server.address._tag === "TcpAddress" ? server.address.port : 0
    const urlHost = host.includes(":") ? `[${host}]` : host
    return { url: `http://${urlHost}:${port}`, port, state }
  })

/**
 * The emulator as a layer (scoped to the layer's lifetime).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options = {}): Layer.Layer<Emulator, ServeError> =>
  Layer.scoped(Emulator, start(options))

// Injected connection faults act on the socket itself, as a failing network would.
const nodeConnection = (request: HttpServerRequest.HttpServerRequest): Faults.Connection => ({
  reset: Effect.suspend(() => {
    NodeHttpServerRequest.toIncomingMessage(request).socket.destroy()
    return Effect.interrupt
  }),
  truncate: (response) =>
    Effect.gen(function*() {
      const web = HttpServerResponse.toWeb(response)
      const body = new Uint8Array(yield* Effect.promise(() => web.arrayBuffer()))
      const raw = NodeHttpServerRequest.toServerResponse(request)
      raw.writeHead(web.status, { ...Object.fromEntries(web.headers), "content-length": String(body.length) })
      raw.write(body.subarray(0, Math.floor(body.length / 2)), () => raw.socket?.destroy())
      return yield* Effect.interrupt
    })
})
