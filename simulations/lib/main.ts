/**
 * Runs a study as a script: `tsx simulations/dropout.ts --out DIR`. A StudyUsageError is one
 * line on stderr and exit 2 (like the CLI's UsageError); anything else is a crash (exit 1).
 */
import { pathToFileURL } from 'node:url'

export interface StudyIo {
  /** Progress lines. */
  readonly stderr: (line: string) => void
  /** The help text and the final "wrote …" lines. */
  readonly stdout: (line: string) => void
}

export const processIo: StudyIo = {
  stderr: (line) => process.stderr.write(line + '\n'),
  stdout: (line) => process.stdout.write(line + '\n')
}

/** Runs `study` when `moduleUrl` is the script node was started with; a test importing it runs nothing. */
export function runIfMain (moduleUrl: string, study: (argv: readonly string[], io: StudyIo) => Promise<unknown>): void {
  const script = process.argv[1]
  if (script === undefined || pathToFileURL(script).href !== moduleUrl) return
  study(process.argv.slice(2), processIo).then(() => { process.exitCode = 0 }, (err: unknown) => {
    if (err instanceof Error && err.name === 'StudyUsageError') {
      process.stderr.write(`${err.message}\n`)
      process.exitCode = 2
    } else {
      process.stderr.write(`${err instanceof Error ? err.stack ?? err.message : String(err)}\n`)
      process.exitCode = 1
    }
  })
}
