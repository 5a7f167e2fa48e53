/** `secagg init --dir DIR`: a member identity (0600) and config templates; never overwrites. */
import { existsSync, writeFileSync } from 'node:fs'
import { isAbsolute, join } from 'node:path'
import { createIdentity } from '../config/identity.ts'
import { createObfuscationKey } from '../config/obfuscation-store.ts'
import { tcpMultiaddrProblem } from '../config/multiaddr-text.ts'
import { nodeConfigSchema } from '../config/node-dir.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { UsageError } from './usage-error.ts'

export const INIT_HELP = `Usage: secagg init --dir DIR [--listen MULTIADDR ...] [--name NAME] [--vector-file PATH]

Creates this member's Ed25519 libp2p identity in DIR/identity.key (mode 0600) and its
image obfuscation key in DIR/obfuscation.key (0600; secagg obfuscate), prints its peer id and writes DIR/config.json and DIR/vector.json templates. Refuses to overwrite an
existing identity. Then 'secagg consortium add FILE --member DIR' lists the member in the
consortium file (or send the peer id and address to whoever keeps that file).

  --dir DIR            the member directory to create
  --listen MULTIADDR   address to listen on, with a TCP port (repeatable; default
                       /ip4/0.0.0.0/tcp/4001, every interface), e.g. /ip4/127.0.0.1/tcp/4000
  --name NAME          a readable name for this member (stored in config.json; the
                       consortium file lists the member under it)
  --vector-file PATH   vector-sum task: the input file, relative to DIR; '{round}' in it
                       is replaced by the round number, e.g. 'inputs/{round}.json' for one
                       file per round (default vector.json: one input, used once)
`

export async function runInitCommand (argv: readonly string[], io: CliIo): Promise<number> {
  // --listen is checked here, before the identity is created: a mistyped flag leaves nothing behind.
  const { values } = parseFlags(argv, { dir: { type: 'string' }, listen: { type: 'string', multiple: true }, name: { type: 'string' }, 'vector-file': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, 'init', {
    check: { listen: tcpMultiaddrProblem }
  })
  if (values.help === true) { io.stdout(INIT_HELP); return 0 }
  if (values.dir === undefined) throw new UsageError('--dir is required (the member directory to create)')
  if (values.name !== undefined && (values.name.trim() === '' || values.name.length > 200)) throw new UsageError(`--name must be 1 to 200 characters, got '${values.name}'`)
  const vectorFile = values['vector-file']
  if (vectorFile !== undefined && (vectorFile.trim() === '' || isAbsolute(vectorFile) || vectorFile.split(/[\\/]/).includes('..'))) throw new UsageError(`--vector-file must be a path inside DIR, like inputs/{round}.json, got '${vectorFile}'`)
  const config = nodeConfigSchema.parse({ ...(values.listen !== undefined ? { listen: values.listen } : {}), ...(values.name !== undefined ? { name: values.name } : {}), ...(vectorFile !== undefined ? { vectorFile } : {}) })
  let identity
  try {
    identity = await createIdentity(values.dir)
  } catch (err) {
    if ((err as Error).name === 'IdentityError') throw new UsageError((err as Error).message)
    throw err
  }
  createObfuscationKey(values.dir)
  const configPath = join(values.dir, 'config.json')
  if (!existsSync(configPath)) {
    const template = { ...(config.name !== undefined ? { name: config.name } : {}), listen: config.listen, bootstrap: config.bootstrap, vectorFile: config.vectorFile }
    writeFileSync(configPath, JSON.stringify(template, null, 2) + '\n')
  } else if (values.listen !== undefined || values.name !== undefined || vectorFile !== undefined) {
    io.stderr(`${configPath} already exists and is kept as it is: --listen, --name and --vector-file were not written to it`)
  }
  const vector = join(values.dir, 'vector.json')
  if (!existsSync(vector)) writeFileSync(vector, JSON.stringify({ vector: [0, 0, 0, 0], weight: 1 }) + '\n')
  io.stdout(identity.peerId)
  io.stderr(`identity written to ${join(values.dir, 'identity.key')} (mode 0600); config template ${configPath}`)
  return 0
}
