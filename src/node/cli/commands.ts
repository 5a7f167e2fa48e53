/** The list of subcommands. Each entry loads its implementation lazily. */
import type { CliIo } from './main.ts'

export interface Command {
  readonly name: string
  readonly summary: string
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'simulate',
    summary: 'run one secure-aggregation round over an in-memory swarm (dropout studies)',
    run: async (argv, io) => (await import('./simulate.ts')).runSimulateCommand(argv, io)
  }
]
