/**
 * Ends a vitest run with one plain line, `tests: N passed, N failed, N skipped`, that any CI log
 * reader understands.
 */
import type { Reporter, RunnerTask, RunnerTestFile } from "vitest/node"

const count = (tasks: ReadonlyArray<RunnerTask>, totals = { passed: 0, failed: 0, skipped: 0 }) => {
  for (const task of tasks) {
    if (task.type === "suite") {
      count(task.tasks, totals)
    } else if (task.mode === "skip" || task.mode === "todo") {
      totals.skipped++
    } else if (task.result?.state === "pass") {
      totals.passed++
    } else if (task.result?.state === "fail") {
      totals.failed++
    }
  }
  return totals
}

export default class SummaryReporter implements Reporter {
  onFinished(files: ReadonlyArray<RunnerTestFile> = [], errors: ReadonlyArray<unknown> = []) {
    const totals = count(files)
    // A file that failed to load has no tests to count, but it is a failure all the same.
    const failed = totals.failed + files.filter((file) => file.result?.state === "fail" && file.tasks.length === 0).length +
      errors.length
    process.stdout.write(`\ntests: ${totals.passed} passed, ${failed} failed, ${totals.skipped} skipped\n`)
  }
}
