/**
 * The documented demo values the emulator starts with. They are public on purpose: use them in
 * examples and tests, never against Adobe.
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category demo
 */
export const orgId = "EMULATOR0000000000000000@AdobeOrg"

/**
 * The API key (OAuth client id).
 *
 * @since 0.1.0
 * @category demo
 */
export const apiKey = "emulator-client"

/**
 * @since 0.1.0
 * @category demo
 */
export const clientSecret = "emulator-secret"

/**
 * @since 0.1.0
 * @category demo
 */
export const sandboxName = "prod"

/**
 * A static access token the emulator always accepts.
 *
 * @since 0.1.0
 * @category demo
 */
export const accessToken = "emulator-token"

/**
 * The dataset that exists from the start (the id of Adobe's own docs examples).
 *
 * @since 0.1.0
 * @category demo
 */
export const datasetId = "5c8c3c555033b814b69f947f"

/**
 * Where `aep-emulator` and `pnpm emulator` listen unless told otherwise.
 *
 * @since 0.1.0
 * @category demo
 */
export const defaultPort = 4010
