/**
 * A local Adobe Experience Platform batch ingestion emulator.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Banner from "./Banner.js"
/** @since 0.1.0 */
export * as BatchIngestion from "./BatchIngestion.js"
/** @since 0.1.0 */
export * as Demo from "./Demo.js"
/** @since 0.1.0 */
export * as Emulator from "./Emulator.js"
/** @since 0.1.0 */
export * as BatchLifecycle from "./BatchLifecycle.js"
/** @since 0.1.0 */
export * as Catalog from "./Catalog.js"
/** @since 0.1.0 */
export * as Control from "./Control.js"
/** @since 0.1.0 */
export * as DataAccess from "./DataAccess.js"
/** @since 0.1.0 */
export * as EmulatorApp from "./EmulatorApp.js"
/** @since 0.1.0 */
export * as EmulatorHttpClient from "./EmulatorHttpClient.js"
/** @since 0.1.0 */
export * as EmulatorState from "./EmulatorState.js"
/** @since 0.1.0 */
export * as Faults from "./Faults.js"
/** @since 0.1.0 */
export * as FileUpload from "./FileUpload.js"
/** @since 0.1.0 */
export * as Gateway from "./Gateway.js"
/** @since 0.1.0 */
export * as Ims from "./Ims.js"
/** @since 0.1.0 */
export * as Processing from "./Processing.js"
/** @since 0.1.0 */
export * as Refusal from "./Refusal.js"
/** @since 0.1.0 */
export * as Schemas from "./Schemas.js"
