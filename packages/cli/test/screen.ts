/**
 * Just enough of a terminal to replay what `aep` writes to one: printable characters, carriage
 * return, line feed, cursor up (`ESC[nA`), erase below (`ESC[J`) and erase line (`ESC[K`,
 * `ESC[2K`); styles and cursor visibility are ignored. Answers the final screen, one string a row.
 */
export const replay = (raw: string, columns: number): Array<string> => {
  const rows: Array<Array<string>> = [[]]
  let row = 0
  let col = 0
  const at = (r: number) => (rows[r] ??= [])
  const chars = [...raw]
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i]!
    if (ch === "\u001b" && chars[i + 1] === "[") {
      let j = i + 2
      let params = ""
      while (j < chars.length && /[0-9;?]/.test(chars[j]!)) params += chars[j++]
      const command = chars[j]
      i = j
      const n = Number(params === "" ? "1" : params)
      switch (command) {
        case "A":
          row = Math.max(0, row - n)
          break
        case "J":
          at(row).length = Math.min(at(row).length, col)
          rows.length = row + 1
          break
        case "K":
          if (params === "2") rows[row] = []
          else at(row).length = Math.min(at(row).length, col)
          break
      }
      continue
    }
    if (ch === "\r") {
      col = 0
    } else if (ch === "\n") {
      row++
      at(row)
    } else {
      if (col >= columns) {
        row++
        col = 0
      }
      const line = at(row)
      while (line.length < col) line.push(" ")
      line[col++] = ch
    }
  }
  return rows.map((line) => line.join("").trimEnd())
}
