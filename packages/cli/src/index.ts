/**
 * `aep`, the command line of effect-aep, as modules: run it in-process with `Cli.run`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as BatchCommand from "./BatchCommand.js"
/** @since 0.1.0 */
export * as BatchView from "./BatchView.js"
/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Common from "./Common.js"
/** @since 0.1.0 */
export * as ConfigCommand from "./ConfigCommand.js"
/** @since 0.1.0 */
export * as EmulatorCommand from "./EmulatorCommand.js"
/** @since 0.1.0 */
export * as ExitCode from "./ExitCode.js"
/** @since 0.1.0 */
export * as Failure from "./Failure.js"
/** @since 0.1.0 */
export * as IngestCommand from "./IngestCommand.js"
/** @since 0.1.0 */
export * as LocalFiles from "./LocalFiles.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
/** @since 0.1.0 */
export * as Profiles from "./Profiles.js"
/** @since 0.1.0 */
export * as Progress from "./Progress.js"
/** @since 0.1.0 */
export * as SpanSummary from "./SpanSummary.js"
/** @since 0.1.0 */
export * as Table from "./Table.js"
