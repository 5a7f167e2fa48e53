/**
 * `secagg start`: runs this member's node until --rounds are done or SIGINT/SIGTERM, which
 * stop it cleanly (sessions ended, streams closed, state already on disk). Every start-up
 * failure — a bad flag or file, the directory locked by another node, a port in use — is one
 * line naming the flag or file and the fix, exit 2; a node that gives up later (its own input
 * keeps failing, the members never came) exits 1 with the reason.
 */
import { join } from 'node:path'
import { systemRandom } from '../../crypto/index.ts'
import { loadConsortium, sessionParameters } from '../config/consortium.ts'
import { consortiumQuantization } from '../config/consortium-quantization.ts'
import { loadIdentity } from '../config/identity.ts'
import { bootstrapMultiaddrProblem, tcpMultiaddrProblem } from '../config/multiaddr-text.ts'
import { loadNodeConfig } from '../config/node-dir.ts'
import { createLogger } from '../logger.ts'
import { limitPeerRecords } from '../peer-log-limit.ts'
import type { Level } from '../logger.ts'
import { NodeOps } from '../ops/node-ops.ts'
import { lockMemberDir } from '../store/dir-lock.ts'
import type { DirLock } from '../store/dir-lock.ts'
import { DirectoryStore } from '../store/member-store.ts'
import { DEFAULT_MAX_INPUT_FAILURES, SwarmNode } from '../swarm-node.ts'
import { VectorSumTask } from '../task/vector-sum-task.ts'
import type { CliIo } from './main.ts'
import { metricsFlag } from './metrics-flag.ts'
import { intFlag } from './number-flags.ts'
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
  --rounds R             run R more rounds, then stop (default: run until stopped)
  --until-round R        or stop before round R (a schedule the whole consortium shares)
  --startup-wait S       give up (exit 1) if enough members for a round are not reachable
                         within S seconds of the start (default 0: wait as long as it takes)
  --max-input-failures F stop (exit 1) after F rounds in a row without a usable input of
                         this member's own (default ${DEFAULT_MAX_INPUT_FAILURES}; 0: never)
  --log-level L          debug, info (default), warn, error (stderr; DIR/node.log has all)
  --metrics HOST:PORT    serve Prometheus metrics at http://HOST:PORT/metrics (loopback only)
  --metrics-public       allow a --metrics address that is not loopback

'secagg status --dir DIR' shows what the running node is doing (DIR/control/node.sock).

Exit codes: 0 done or stopped by a signal; 1 gave up (see the message); 2 could not start
(bad flag or file, directory in use, port in use).
`

/** Start-up errors that are the operator's to fix: one line, exit 2. */
const STARTUP_ERRORS = ['ConsortiumFileError', 'IdentityError', 'NodeDirError', 'DatasetError', 'OverflowRiskError', 'PromiseStoreError', 'DirLockError', 'ProtocolConfigError', 'ControlSocketError', 'MetricsListenError']

/**
 * libp2p reports a listen failure as UnsupportedListenAddressesError with each address and
 * its socket error (and advice about `transportManager.faultTolerance`, which is not ours to
 * give): turn it into the address, the cause and where the address came from.
 */
function listenFailure (err: Error, source: string): UsageError | undefined {
  if (err.name !== 'UnsupportedListenAddressesError' && !/EADDRINUSE|EADDRNOTAVAIL|EACCES/.test(err.message)) return undefined
  const line = err.message.split('\n').find((l) => /EADDRINUSE|EADDRNOTAVAIL|EACCES/.test(l)) ?? err.message
  const addr = /(\/ip[46]\/[^\s:]+\/tcp\/\d+)/.exec(line)?.[1] ?? 'a listen address'
  const port = /\/tcp\/(\d+)/.exec(addr)?.[1]
  if (line.includes('EADDRINUSE')) return new UsageError(`cannot listen on ${addr}: port ${port ?? '?'} is already in use (another node or program). Stop it, or choose another port (${source})`)
  if (line.includes('EADDRNOTAVAIL')) return new UsageError(`cannot listen on ${addr}: that IP address is not on this machine. Use one of its own addresses or /ip4/0.0.0.0 (${source})`)
  if (line.includes('EACCES')) return new UsageError(`cannot listen on ${addr}: permission denied (ports below 1024 need privileges). Choose a port above 1023 (${source})`)
  return new UsageError(`cannot listen on ${addr}: ${line.trim()} (${source})`)
}

export async function runStartCommand (argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseFlags(argv, {
    dir: { type: 'string' }, consortium: { type: 'string' }, listen: { type: 'string', multiple: true }, bootstrap: { type: 'string', multiple: true },
    mdns: { type: 'boolean' }, rounds: { type: 'string' }, 'until-round': { type: 'string' }, 'startup-wait': { type: 'string' }, 'max-input-failures': { type: 'string' },
    'log-level': { type: 'string' }, metrics: { type: 'string' }, 'metrics-public': { type: 'boolean' }, help: { type: 'boolean', short: 'h' }
  }, 'start', { check: { listen: tcpMultiaddrProblem, bootstrap: bootstrapMultiaddrProblem } })
  if (values.help === true) { io.stdout(START_HELP); return 0 }
  if (values.dir === undefined || values.consortium === undefined) throw new UsageError('--dir and --consortium are required. Run \'secagg start --help\'.')
  const rounds = intFlag(values.rounds, 'rounds', 1, 1_000_000_000)
  const untilRound = intFlag(values['until-round'], 'until-round', 1, Number.MAX_SAFE_INTEGER)
  if (rounds !== undefined && untilRound !== undefined) throw new UsageError('--rounds (that many more) and --until-round (an absolute round) exclude each other; give one')
  // No limit by default: with one, c members that stay away for it stop every honest node
  // (an attacker review); a limit is for scripted runs that must end.
  const startupWait = intFlag(values['startup-wait'], 'startup-wait', 0, 31_536_000) ?? 0
  const maxInputFailures = intFlag(values['max-input-failures'], 'max-input-failures', 0, 1_000_000) ?? DEFAULT_MAX_INPUT_FAILURES
  const level = (values['log-level'] ?? 'info') as Level
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new UsageError(`--log-level must be debug, info, warn or error, got '${level}'`)
  const metrics = metricsFlag(values.metrics, values['metrics-public'] === true)
  let node: SwarmNode
  let lock: DirLock | undefined
  let listenSource = '--listen'
  let ops: NodeOps | undefined
  try {
    const consortium = loadConsortium(values.consortium)
    const identity = loadIdentity(values.dir)
    const config = loadNodeConfig(values.dir)
    if (values.listen === undefined) listenSource = `"listen" in ${join(values.dir, 'config.json')} or --listen`
    lock = await lockMemberDir(values.dir)
    ops = await NodeOps.open({ dir: values.dir, self: identity.peerId, consortium: consortium.file.consortium, members: consortium.file.members, ...(metrics !== undefined ? { metrics } : {}) })
    // Records other peers cause are bounded per peer before they reach node.log (peer-log-limit.ts);
    // the monitor outside still counts every one, so metrics show the real rate.
    const memberIds = new Set(consortium.file.members.map((m) => m.peerId)) // as the host names peers
    const logger = ops.logger(limitPeerRecords(createLogger({ file: join(values.dir, 'node.log'), level, stderr: io.stderr }), () => performance.now(), undefined, (peer) => memberIds.has(peer)))
    if (lock.recovered !== undefined) logger.warn('stale-lock-recovered', { pid: lock.recovered, reason: 'the node that held this directory is no longer running (it crashed or was killed)' })
    const spec = consortium.file.task
    const task = spec.type === 'vector-sum'
      ? new VectorSumTask(values.dir, config, spec.dim)
      : await (await import('../task/train-task.ts')).TrainTask.create({
        dir: values.dir, spec, config, peerId: identity.peerId, maxWeight: consortium.file.protocol.maxWeight, logger,
        ...(consortium.file.privacy !== undefined ? { privacy: { config: consortium.file.privacy, plan: (dim: number) => consortiumQuantization(consortium.file, dim), rng: systemRandom, maxCorrupt: sessionParameters(consortium.file).maxCorrupt } } : {})
      })
    node = new SwarmNode({
      task,
      dir: values.dir, identity, consortium, logger,
      listen: values.listen ?? config.listen,
      bootstrap: values.bootstrap ?? config.bootstrap,
      mdns: values.mdns === true,
      ...(rounds !== undefined ? { moreRounds: rounds } : {}),
      ...(untilRound !== undefined ? { rounds: untilRound } : {}),
      maxInputFailures: maxInputFailures === 0 ? Number.POSITIVE_INFINITY : maxInputFailures,
      ...(startupWait > 0 ? { timeouts: { startupWait: startupWait * 1000 } } : {}),
      components: { store: ops.store(new DirectoryStore(values.dir), logger) },
      hostHooks: ops.hostHooks(logger)
    })
    await node.start()
    const last = node.coordinator.lastRound
    io.stdout(`peer ${node.peerId} listening on ${node.addresses.join(' ')}; ${last === undefined ? `rounds from ${node.coordinator.round} until stopped` : `rounds ${node.coordinator.round}–${last}${rounds !== undefined ? ` (--rounds ${rounds}: that many more)` : ''}`}`)
  } catch (err) {
    await ops?.close()
    lock?.release()
    if (isErrorNamed(err, ...STARTUP_ERRORS)) throw new UsageError((err as Error).message)
    const listen = err instanceof Error ? listenFailure(err, listenSource) : undefined
    if (listen !== undefined) throw listen
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
  await ops.close()
  lock.release()
  if (node.failed !== undefined) {
    io.stderr(`secagg start: ${node.failed}`)
    return 1
  }
  return 0
}
