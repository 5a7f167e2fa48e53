/** `secagg init --dir DIR`: a member identity (0600) and config templates; never overwrites. */
import { existsSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseArgs } from 'node:util'
import { createIdentity } from '../config/identity.ts'
import type { CliIo } from './main.ts'
import { UsageError } from './usage-error.ts'

export const INIT_HELP = `Usage: secagg init --dir DIR [--listen MULTIADDR]

Creates this member's Ed25519 libp2p identity in DIR/identity.key (mode 0600), prints its
peer id (send it to the consortium to be listed in the consortium file) and writes
DIR/config.json and DIR/vector.json templates. Refuses to overwrite an existing identity.
`

export async function runInitCommand (argv: readonly string[], io: CliIo): Promise<number> {
  let values
  try {
    ({ values } = parseArgs({ args: [...argv], strict: true, options: { dir: { type: 'string' }, listen: { type: 'string' }, help: { type: 'boolean', short: 'h' } } }))
  } catch (err) {
    throw new UsageError(`${(err as Error).message}. Run 'secagg init --help'.`)
  }
  if (values.help === true) { io.stdout(INIT_HELP); return 0 }
  if (values.dir === undefined) throw new UsageError('--dir is required (the member directory to create)')
  let identity
  try {
    identity = await createIdentity(values.dir)
  } catch (err) {
    if ((err as Error).name === 'IdentityError') throw new UsageError((err as Error).message)
    throw err
  }
  const config = join(values.dir, 'config.json')
  if (!existsSync(config)) {
    writeFileSync(config, JSON.stringify({ listen: [values.listen ?? '/ip4/0.0.0.0/tcp/4001'], bootstrap: [], vectorFile: 'vector.json' }, null, 2) + '\n')
  }
  const vector = join(values.dir, 'vector.json')
  if (!existsSync(vector)) writeFileSync(vector, JSON.stringify({ vector: [0, 0, 0, 0], weight: 1 }) + '\n')
  io.stdout(identity.peerId)
  io.stderr(`identity written to ${join(values.dir, 'identity.key')} (mode 0600); config template ${config}`)
  return 0
}
