/**
 * The `secagg` command line. Each subcommand lives in its own module; this file only parses
 * the first word and dispatches, so `--help` and `--version` stay cheap (no libp2p or tfjs
 * load).
 */
import { readFileSync } from 'node:fs'
import { COMMANDS } from './commands.ts'
import { isErrorNamed } from './usage-error.ts'
import type { Terminal } from './progress-display.ts'

export const EXIT_OK = 0
export const EXIT_FAILURE = 1
export const EXIT_USAGE = 2

function version (): string {
  const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }
  return pkg.version
}

export function usage (): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return [
    'secagg — federated training with secure aggregation over a peer-to-peer consortium',
    '',
    'Usage: secagg <command> [options]',
    '',
    'Commands:',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Options:',
    '  -h, --help     show this help (or a command\'s help: secagg <command> --help)',
    '  -V, --version  print the version',
    '',
    'Docs: README.md and docs/CLI.md'
  ].join('\n')
}

export interface CliIo {
  readonly stdout: (text: string) => void
  readonly stderr: (text: string) => void
  /** stderr when it is a terminal, for live progress lines (`secagg simulate`); absent when piped. */
  readonly terminal?: Terminal
}

const processIo: CliIo = {
  stdout: (text) => { process.stdout.write(text.endsWith('\n') ? text : text + '\n') },
  stderr: (text) => { process.stderr.write(text.endsWith('\n') ? text : text + '\n') },
  ...(process.stderr.isTTY ? { terminal: { write: (text: string) => { process.stderr.write(text) }, get columns () { return process.stderr.columns } } } : {})
}

/** Runs the CLI and returns the exit code: 0 ok, 1 failure, 2 bad usage. */
export async function main (argv: readonly string[], io: CliIo = processIo): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    io.stdout(usage())
    return first === undefined ? EXIT_USAGE : EXIT_OK
  }
  if (first === '-V' || first === '--version') {
    io.stdout(version())
    return EXIT_OK
  }
  const command = COMMANDS.find((c) => c.name === first)
  if (command === undefined) {
    io.stderr(`secagg: unknown command '${first}'. Run 'secagg --help' for the list of commands.`)
    return EXIT_USAGE
  }
  try {
    return await command.run(rest, io)
  } catch (err) {
    if (isErrorNamed(err, 'UsageError')) {
      io.stderr(`secagg ${command.name}: ${err.message}`)
      return EXIT_USAGE
    }
    io.stderr(`secagg ${command.name}: ${(err as Error).name}: ${(err as Error).message}`)
    return EXIT_FAILURE
  }
}
