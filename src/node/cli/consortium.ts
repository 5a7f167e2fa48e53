/**
 * `secagg consortium new|add|check`: the consortium file assembled from the members'
 * directories instead of by hand (peer ids and addresses are read, never retyped), and
 * checked for what it implies before any node starts.
 */
import type { CliIo } from './main.ts'
import { UsageError } from './usage-error.ts'

export const CONSORTIUM_HELP = `Usage: secagg consortium <new|add|check> ...

  secagg consortium new NAME [--out FILE] [--task vector-sum --dim M | --task train --classes A,B,...]
      writes a consortium file with no members yet (refuses to overwrite one)
  secagg consortium add FILE --member DIR [--address MULTIADDR ...] [--name NAME]
      lists the member whose directory (made by 'secagg init') is DIR
  secagg consortium check FILE [--dir DIR ...]
      validates FILE and prints what it implies (c, t, k, members needed online)

Every member must start with the same file: copy it to each member after the last 'add'.
'secagg consortium <subcommand> --help' has the details.
`

const SUBCOMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  new: async (argv, io) => (await import('./consortium-new.ts')).runConsortiumNew(argv, io),
  add: async (argv, io) => (await import('./consortium-add.ts')).runConsortiumAdd(argv, io),
  check: async (argv, io) => (await import('./consortium-check.ts')).runConsortiumCheck(argv, io)
}

export async function runConsortiumCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '-h' || sub === '--help') {
    io.stdout(CONSORTIUM_HELP)
    return sub === undefined ? 2 : 0
  }
  const run = Object.hasOwn(SUBCOMMANDS, sub) ? SUBCOMMANDS[sub] : undefined
  if (run === undefined) throw new UsageError(`unknown subcommand '${sub}'; use new, add or check. Run 'secagg consortium --help'.`)
  return await run(rest, io)
}
