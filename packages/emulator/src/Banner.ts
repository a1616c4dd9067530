/**
 * What `aep-emulator` prints when it is ready: where it listens, the demo values, and the seed
 * page's curl command with only the host and placeholders changed.
 *
 * @since 0.1.0
 */
import * as Demo from "./Demo.js"

/**
 * The ready-to-paste curl line that creates a batch in the demo dataset.
 *
 * @since 0.1.0
 * @category formatting
 */
export const curl = (url: string): string =>
  [
    `curl -X POST '${url}/data/foundation/import/batches' \\`,
    `  -H 'accept: application/json' \\`,
    `  -H 'x-gw-ims-org-id: ${Demo.orgId}' \\`,
    `  -H 'x-sandbox-name: ${Demo.sandboxName}' \\`,
    `  -H 'Authorization: Bearer ${Demo.accessToken}' \\`,
    `  -H 'x-api-key: ${Demo.apiKey}' \\`,
    `  -H 'content-type: application/json' \\`,
    `  -d '{`,
    `        "datasetId":"${Demo.datasetId}"`,
    `      }'`
  ].join("\n")

/**
 * The whole banner.
 *
 * @since 0.1.0
 * @category formatting
 */
export const banner = (url: string): string =>
  [
    `AEP emulator listening on ${url}`,
    ``,
    `Demo values (public, for the emulator only):`,
    `  AEP_PLATFORM_URL=${url}`,
    `  AEP_ORG_ID=${Demo.orgId}`,
    `  AEP_SANDBOX_NAME=${Demo.sandboxName}`,
    `  AEP_API_KEY=${Demo.apiKey}`,
    `  AEP_CLIENT_SECRET=${Demo.clientSecret}`,
    `  AEP_IMS_URL=${url}`,
    `  AEP_ACCESS_TOKEN=${Demo.accessToken}`,
    `  dataset id: ${Demo.datasetId}`,
    ``,
    `Create a batch:`,
    curl(url),
    ``
  ].join("\n")
