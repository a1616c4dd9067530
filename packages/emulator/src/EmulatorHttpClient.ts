/**
 * The emulator without a socket: an `HttpClient` whose requests are answered by the emulator's
 * app in the same process. For fast unit tests of code that uses `@effect-aep/core`; the HTTP
 * contract is the same as the server's, fault injection included (a reset connection fails the
 * request as a network error would).
 *
 * @since 0.1.0
 */
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import * as HttpApp from "@effect/platform/HttpApp"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpServerResponse from "@effect/platform/HttpServerResponse"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Runtime from "effect/Runtime"
import * as Emulator from "./Emulator.js"
import * as EmulatorApp from "./EmulatorApp.js"
import * as EmulatorState from "./EmulatorState.js"
import * as Faults from "./Faults.js"

/**
 * The base URL to configure clients with. Nothing listens there: requests never leave the
 * process. It is a loopback URL so that clients accept plain http for it.
 *
 * @since 0.1.0
 * @category constants
 */
export const url = "http://localhost"

class ConnectionDropped extends Error {}

/**
 * A `fetch` answered by the emulator's app.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFetch = (
  state: EmulatorState.EmulatorState,
  runtime: Runtime.Runtime<never> = Runtime.defaultRuntime
): typeof globalThis.fetch => {
  const handler = HttpApp.toWebHandlerRuntime(runtime)(EmulatorApp.make(state))
  return async (input, init) => {
    const request = new Request(input, init)
    let dropped: ((response: Response) => Response) | undefined
    const connection: Faults.Connection = {
      reset: Effect.suspend(() => {
        dropped = () => {
          throw new TypeError("fetch failed", { cause: Object.assign(new ConnectionDropped("socket hang up"), { code: "ECONNRESET" }) })
        }
        return Effect.interrupt
      }),
      truncate: (response) =>
        Effect.suspend(() => {
          dropped = () => truncated(response)
          return Effect.interrupt
        })
    }
    const response = await handler(request, Context.make(Faults.Connection, connection))
    return dropped === undefined ? response : dropped(response)
  }
}

// Half of the body, then an error: what a reader sees when the connection drops mid-answer.
const truncated = (response: Parameters<Faults.Connection["truncate"]>[0]): Response => {
  const web = HttpServerResponse.toWeb(response)
  const stream = new ReadableStream<Uint8Array>({
    async start(controller) {
      const body = new Uint8Array(await web.arrayBuffer())
      controller.enqueue(body.subarray(0, Math.floor(body.length / 2)))
      controller.error(new TypeError("terminated", { cause: Object.assign(new ConnectionDropped("other side closed"), { code: "UND_ERR_SOCKET" }) }))
    }
  })
  return new Response(stream, { status: web.status, headers: web.headers })
}

/**
 * An `HttpClient` answered by a fresh in-memory emulator, and that emulator (its `url` is
 * `EmulatorHttpClient.url`). The emulator runs on the runtime that builds the layer, so a
 * `TestClock` in a test drives its clock.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: EmulatorState.Options = {}
): Layer.Layer<HttpClient.HttpClient | Emulator.Emulator> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const state = yield* EmulatorState.make(options)
      const runtime = yield* Effect.runtime<never>()
      return Layer.merge(
        FetchHttpClient.layer.pipe(Layer.provide(Layer.succeed(FetchHttpClient.Fetch, makeFetch(state, runtime)))),
        Layer.succeed(Emulator.Emulator, { url, port: 0, state })
      )
    })
  )
