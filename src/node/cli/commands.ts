/** The list of subcommands. Each entry loads its implementation lazily. */
import type { CliIo } from './main.ts'

export interface Command {
  readonly name: string
  readonly summary: string
  readonly run: (argv: readonly string[], io: CliIo) => Promise<number>
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'init',
    summary: 'create this member\'s identity and config templates in a directory',
    run: async (argv, io) => (await import('./init.ts')).runInitCommand(argv, io)
  },
  {
    name: 'start',
    summary: 'run this member\'s node: secure-aggregation rounds with the consortium',
    run: async (argv, io) => (await import('./start.ts')).runStartCommand(argv, io)
  },
  {
    name: 'consortium',
    summary: 'write the consortium file: new, add a member from its directory, check what it implies',
    run: async (argv, io) => (await import('./consortium.ts')).runConsortiumCommand(argv, io)
  },
  {
    name: 'status',
    summary: 'show what the node running in a member directory is doing (round, stage, members, results)',
    run: async (argv, io) => (await import('./status.ts')).runStatusCommand(argv, io)
  },
  {
    name: 'obfuscate',
    summary: 'write an obfuscated copy of an image folder (VAE + random non-bijective intensity map) for images that leave this member',
    run: async (argv, io) => (await import('./obfuscate.ts')).runObfuscateCommand(argv, io)
  },
  {
    name: 'simulate',
    summary: 'run one secure-aggregation round over an in-memory or loopback libp2p swarm (dropout studies)',
    run: async (argv, io) => (await import('./simulate.ts')).runSimulateCommand(argv, io)
  },
  {
    name: 'logs',
    summary: 'show members\' logs merged: filter by round, level, event or peer; per-round summary; follow',
    run: async (argv, io) => (await import('./logs.ts')).runLogsCommand(argv, io)
  },
  {
    name: 'results',
    summary: 'list this member\'s rounds from its round records: aggregator, members included, outcome, weight sum, metrics',
    run: async (argv, io) => (await import('./results.ts')).runResultsCommand(argv, io)
  }
]
