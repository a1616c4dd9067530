/**
 * What a runtime said about a failed request (`ECONNREFUSED connect ECONNREFUSED 127.0.0.1:9`),
 * from the `code` and `message` of a cause chain. Only those two fields are read: causes may
 * reference the request, and with it headers or a body that must not travel further.
 */
export const describeCause = (cause: unknown): string => {
  const parts: Array<string> = []
  let current: unknown = cause
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth++) {
    if (typeof current === "object") {
      const { code, message } = current as { code?: unknown; message?: unknown }
      const text = [typeof code === "string" ? code : undefined, typeof message === "string" ? message : undefined]
        .filter((part) => part !== undefined && part !== "")
        .join(" ")
      if (text !== "" && !parts.includes(text)) parts.push(text)
      current = (current as { cause?: unknown }).cause
    } else {
      parts.push(String(current))
      break
    }
  }
  return parts.length === 0 ? "unknown cause" : parts.join(": ")
}
