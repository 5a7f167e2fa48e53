/** The list of subcommands. Each entry loads its implementation lazily. */
import type { CliIo } from './main.ts'

export interface Command {
  readonly name: string
  readonly summary: string
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>
}

export const COMMANDS: readonly Command[] = []
