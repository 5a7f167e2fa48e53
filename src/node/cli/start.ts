/**
 * `secagg start`: runs this member's node until --rounds are done or SIGINT/SIGTERM, which
 * stop it cleanly (sessions ended, streams closed, state already on disk).
 */
import { join } from 'node:path'
import { loadConsortium } from '../config/consortium.ts'
import { loadIdentity } from '../config/identity.ts'
import { bootstrapMultiaddrProblem, tcpMultiaddrProblem } from '../config/multiaddr-text.ts'
import { loadNodeConfig } from '../config/node-dir.ts'
import { createLogger } from '../logger.ts'
import type { Level } from '../logger.ts'
import { SwarmNode } from '../swarm-node.ts'
import { VectorSumTask } from '../task/vector-sum-task.ts'
import type { CliIo } from './main.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'

export const START_HELP = `Usage: secagg start --dir DIR --consortium FILE [options]

Runs this member's node: connects to the other members and takes part in (and, when its
turn comes, aggregates) one secure-aggregation round after another.

  --dir DIR              member directory made by 'secagg init'
  --consortium FILE      the consortium file every member shares
  --listen MULTIADDR     address to listen on (repeatable; default from DIR/config.json)
  --bootstrap MULTIADDR  a member to dial at start (repeatable)
  --mdns                 also discover members on the local network
  --rounds R             stop after R rounds (counting rounds done before a restart)
  --log-level L          debug, info (default), warn, error (stderr; DIR/node.log has all)
`

export async function runStartCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    dir: { type: 'string' }, consortium: { type: 'string' }, listen: { type: 'string', multiple: true }, bootstrap: { type: 'string', multiple: true },
    mdns: { type: 'boolean' }, rounds: { type: 'string' }, 'log-level': { type: 'string' }, help: { type: 'boolean', short: 'h' }
  }, 'start', { check: { listen: tcpMultiaddrProblem, bootstrap: bootstrapMultiaddrProblem } })
  if (values.help === true) { io.stdout(START_HELP); return 0 }
  if (values.dir === undefined || values.consortium === undefined) throw new UsageError('--dir and --consortium are required. Run \'secagg start --help\'.')
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds)
  if (rounds !== undefined && (!Number.isInteger(rounds) || rounds < 1)) throw new UsageError(`--rounds must be a positive integer, got '${values.rounds}'`)
  const level = (values['log-level'] ?? 'info') as Level
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level must be debug, info, warn or error, got '${level}'`)
  let node: SwarmNode
  try {
    const consortium = loadConsortium(values.consortium)
    const identity = loadIdentity(values.dir)
    const config = loadNodeConfig(values.dir)
    const logger = createLogger({ file: join(values.dir, 'node.log'), level, stderr: io.stderr })
    const spec = consortium.file.task
    const task = spec.type === 'vector-sum'
      ? new VectorSumTask(values.dir, config, spec.dim)
      : await (await import('../task/train-task.ts')).TrainTask.create({ dir: values.dir, spec, config, peerId: identity.peerId, maxWeight: consortium.file.protocol.maxWeight, logger })
    node = new SwarmNode({
      task,
      dir: values.dir, identity, consortium, logger,
      listen: values.listen ?? config.listen,
      bootstrap: values.bootstrap ?? config.bootstrap,
      mdns: values.mdns === true,
      ...(rounds !== undefined ? { rounds } : {})
    })
    await node.start()
    io.stdout(`peer ${node.peerId} listening on ${node.addresses.join(' ')}`)
  } catch (err) {
    if (isErrorNamed(err, 'ConsortiumFileError', 'IdentityError', 'NodeDirError', 'DatasetError', 'OverflowRiskError', 'PromiseStoreError')) throw new UsageError((err as Error).message)
    throw err
  }
  const shutdown = (signal: string): void => {
    io.stderr(`${signal}: stopping`)
    void node.stop()
  }
  process.once('SIGINT', () => shutdown('SIGINT'))
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  await node.done
  await node.stop()
  return 0
}
