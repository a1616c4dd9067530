/**
 * The `aep` executable: runs `Cli.run` with the process's arguments, environment and standard
 * streams, and exits with its code (130 when interrupted by Ctrl-C or SIGTERM).
 *
 * @since 0.1.0
 */
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Cli from "./Cli.js"
import * as ExitCode from "./ExitCode.js"
import * as Output from "./Output.js"

Cli.run(process.argv.slice(2)).pipe(
  // What the command-line parser needs, without the rest of NodeContext (workers, subprocesses).
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer, Output.layerNode)),
  NodeRuntime.runMain({
    disableErrorReporting: true,
    // Exits at once, 0 included: idle keep-alive connections would hold the process for seconds.
    teardown: (exit) =>
      process.exit(
        Exit.isSuccess(exit) && typeof exit.value === "number"
          ? exit.value
          : Exit.isInterrupted(exit)
          ? ExitCode.interrupted
          : ExitCode.internal
      )
  })
)
