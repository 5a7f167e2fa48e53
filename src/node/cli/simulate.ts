/**
 * `secagg simulate`: one secure-aggregation round over an in-memory swarm, reproducible from
 * --seed. Prints a human summary; --out writes the JSON report. An aborted round is a valid
 * outcome (exit 0); bad flags or inputs exit 2 with a message naming the problem.
 */
import { readFileSync, writeFileSync } from 'node:fs'
import { getHeapStatistics } from 'node:v8'
import { parseDropoutSpec } from '../../sim/dropout-schedule.ts'
import { parseStageTimeouts } from './stage-timeout-flag.ts'
import { peerName } from '../../sim/memory-swarm.ts'
import { defaultWorkers, runSimulationParallel } from '../../sim/parallel-swarm.ts'
import type { SimulationInputs, SimulationObserver, SimulationOptions, SimulationReport } from '../../sim/memory-swarm.ts'
import { PeerLogDir, preparePeerLogDir, virtualFrom } from '../sim/peer-log-dir.ts'
import { DEFAULT_LIBP2P_STAGE_MS, MAX_LIBP2P_PEERS } from '../sim/libp2p-limits.ts'
import type { CliIo } from './main.ts'
import { intFlag, numFlag } from './number-flags.ts'
import { parseFlags } from './parse-flags.ts'
import { isErrorNamed, UsageError } from './usage-error.ts'
import { progressDisplay } from './progress-display.ts'
import type { ProgressDisplay } from './progress-display.ts'
import { chooseWorkers, estimateLine, preflight } from './simulate-preflight.ts'
import type { MemoryLimits } from './simulate-cost.ts'

export const SIMULATE_HELP = `Usage: secagg simulate --peers N --dim M [options]

Runs one secure-aggregation round among N simulated peers (--task vector-sum, the
default; --task train simulates federated training, see 'secagg simulate --task train --help'): over in-memory links with a
virtual clock (--transport memory), or over real libp2p connections on 127.0.0.1, one host
per peer in this process (--transport libp2p). The same seed gives the same scenario on both.

  --peers N              number of peers (3..65535)
  --dim M                vector length
  --neighbours K         SecAgg+ graph degree (even); default: computed from
                         --expected-dropout and --corrupt (fcp's bounds)
  --complete             the original all-pairs protocol
  --threshold T          Shamir threshold (default: the smallest safe against
                         --max-corrupt; a smaller one is refused)
  --max-corrupt C        corrupt members tolerated besides the aggregator
                         (default: --corrupt × N, rounded down)
  --dropout SPEC         STAGE=COUNT|FRACTION[,...]; stages: advertise, share,
                         masked, consistency, unmask
  --drop-aggregator      let the dropout draw include the aggregator
  --seed S               seed for keys, inputs, dropouts and latency (default 1)
  --inputs FILE          JSON {"vectors": [[...], ...], "weights": [...]}
  --clip C               clip bound (default: the largest |x| in the inputs, ≥ 1)
  --expected-dropout F   dropout fraction for the SecAgg+ parameter choice (0.05)
  --corrupt F            corrupt fraction: the default --max-corrupt (0.05)
  --latency MS           one-way link latency in virtual ms (5), plus --jitter MS (5);
                         memory transport only
  --stage-timeout MS|STAGE=MS[,...]
                         aggregator deadline per stage in ms (memory: virtual, 10000
                         each; libp2p: real, 3000 each)
  --workers N            worker threads for the members' state machines (memory
                         transport; 1 = all on one thread); default: this machine's
                         cores from 200 peers up, else 1. The report is the same
  --out FILE             write the JSON report to FILE
  --transport T          memory (default) or libp2p (at most 256 peers)
  --log-dir DIR          write each peer's node log to DIR/peer-NNNN/node.log (JSON
                         lines, every level; read with 'secagg logs --dir DIR/peer-NNNN');
                         DIR must be new or empty
  --quiet                no progress on stderr (a live line on a terminal, else one
                         line per stage) and no estimate before a long run
  --force                run even when the estimated memory exceeds what this
                         process can get (V8 heap limit, free memory)
`

export function readInputsFile (path: string, peers: number, dim: number): SimulationInputs {
  let parsed: unknown
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'))
  } catch (err) {
    throw new UsageError(`--inputs ${path}: cannot read it as JSON (${(err as Error).message})`)
  }
  const obj = parsed as { vectors?: unknown, weights?: unknown }
  if (typeof obj !== 'object' || obj === null || !Array.isArray(obj.vectors)) throw new UsageError(`--inputs ${path}: expected an object with a "vectors" array`)
  if (obj.vectors.length !== peers) throw new UsageError(`--inputs ${path}: has ${obj.vectors.length} vectors, --peers is ${peers}`)
  obj.vectors.forEach((v, i) => {
    if (!Array.isArray(v) || v.length !== dim) throw new UsageError(`--inputs ${path}: vectors[${i}] must be an array of ${dim} numbers (--dim)`)
    v.forEach((x, j) => { if (typeof x !== 'number' || !Number.isFinite(x)) throw new UsageError(`--inputs ${path}: vectors[${i}][${j}] is not a finite number`) })
  })
  if (obj.weights !== undefined) {
    if (!Array.isArray(obj.weights) || obj.weights.length !== peers) throw new UsageError(`--inputs ${path}: "weights" must be an array of ${peers} numbers`)
    obj.weights.forEach((w, i) => { if (!Number.isInteger(w) || (w as number) < 1) throw new UsageError(`--inputs ${path}: weights[${i}] must be a positive integer sample count, got ${String(w)}`) })
  }
  return { vectors: obj.vectors as number[][], ...(obj.weights !== undefined ? { weights: obj.weights as number[] } : {}) }
}

export function summarize (r: SimulationReport): string {
  const lines = [
    `secagg simulate: ${r.peers} peers, dim ${r.dim}, ${r.neighbours === 'complete' ? 'complete graph' : `SecAgg+ k = ${r.neighbours}`}, threshold t = ${r.threshold}, max corrupt c = ${r.maxCorrupt}, seed ${r.seed}`,
    `aggregator: peer ${r.aggregator}`,
    `dropped: ${Object.entries(r.droppedAt).map(([s, p]) => `${s} ${p!.length}`).join(', ') || 'none'}`
  ]
  if (r.aborted) lines.push(`outcome: ABORTED (${r.reason}); nothing was revealed`)
  else lines.push(`outcome: sum over ${r.included.length} peers, weight sum ${r.weightSum}, max |error| vs plaintext ${r.maxAbsError?.toExponential(2)}`)
  lines.push(`${r.transport === 'memory' ? 'virtual' : 'wall-clock'} time per stage (ms): ${Object.entries(r.stageMs).map(([s, ms]) => `${s} ${ms!.toFixed(1)}`).join(', ')}`)
  const total = r.bytesSent.reduce((a, b) => a + b, 0)
  lines.push(`bytes sent: ${total} total, ${Math.max(...r.bytesSent)} max per peer; wall ${r.wallMs} ms`)
  if (r.cpuMs !== undefined) lines.push(`cpu inside the machines (ms): aggregator ${r.cpuMs.aggregator}, participant mean ${r.cpuMs.participantMean}, max ${r.cpuMs.participantMax}`)
  return lines.join('\n')
}

/** Ctrl-C stops the hosts instead of leaving sockets behind. */
async function runOverLibp2p (options: SimulationOptions, observer: SimulationObserver, logs: PeerLogDir | undefined): Promise<SimulationReport> {
  const interrupted = new AbortController()
  const onSignal = (): void => interrupted.abort(new Error('interrupted'))
  process.once('SIGINT', onSignal)
  try {
    // Loaded only for this transport: libp2p is most of the CLI's start-up time.
    const { runLibp2pSimulation } = await import('../sim/libp2p-swarm.ts')
    return (await runLibp2pSimulation(options, interrupted.signal, { ...observer, ...(logs !== undefined ? { hostLogger: (peer: number) => logs.logger(peer) } : {}) })).report
  } finally {
    process.off('SIGINT', onSignal)
  }
}

/** What this process can hold: V8's heap limit and the memory it can still get. */
export function processMemoryLimits (): MemoryLimits {
  return { heapBytes: getHeapStatistics().heap_size_limit, availableBytes: process.availableMemory() }
}

/**
 * `observer` lets a test watch the run (what the machines draw and send); the CLI passes none.
 * `limits` are the process's own unless a test injects them.
 */
export async function runSimulateCommand (argv: readonly string[], io: CliIo, observer: SimulationObserver = {}, limits: MemoryLimits = processMemoryLimits()): Promise<number> {
  const task = argv.find((a, i) => argv[i - 1] === '--task') ?? argv.find((a) => a.startsWith('--task='))?.slice('--task='.length)
  if (task === 'train' && argv.some((a) => a === '--log-dir' || a.startsWith('--log-dir='))) {
    throw new UsageError('--log-dir writes the per-peer logs of a vector-sum round; --task train does not write them (drop --log-dir)')
  }
  if (task === 'train') return await (await import('./simulate-train.ts')).runSimulateTrainCommand(argv, io)
  if (task !== undefined && task !== 'vector-sum') throw new UsageError(`--task must be vector-sum (default) or train, got '${task}'`)
  const rest = argv.filter((a, i) => a !== '--task' && argv[i - 1] !== '--task' && !a.startsWith('--task='))
  const { values } = parseFlags(rest, {
    peers: { type: 'string' }, dim: { type: 'string' }, neighbours: { type: 'string' }, complete: { type: 'boolean' },
    threshold: { type: 'string' }, 'max-corrupt': { type: 'string' }, dropout: { type: 'string' }, 'drop-aggregator': { type: 'boolean' }, seed: { type: 'string' },
    inputs: { type: 'string' }, clip: { type: 'string' }, 'expected-dropout': { type: 'string' }, corrupt: { type: 'string' },
    latency: { type: 'string' }, jitter: { type: 'string' }, 'stage-timeout': { type: 'string' },
    'emit-sum': { type: 'boolean' }, out: { type: 'string' }, transport: { type: 'string' }, 'log-dir': { type: 'string' },
    workers: { type: 'string' }, quiet: { type: 'boolean' }, force: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }
  }, 'simulate')
  if (values.help === true) { io.stdout(SIMULATE_HELP); return 0 }
  const peers = intFlag(values.peers, 'peers', 3, 65_535)
  const dim = intFlag(values.dim, 'dim', 1, 256 * 1024 * 1024)
  if (peers === undefined || dim === undefined) throw new UsageError('--peers and --dim are required. Run \'secagg simulate --help\'.')
  const transport = values.transport ?? 'memory'
  if (transport !== 'memory' && transport !== 'libp2p') throw new UsageError(`--transport must be memory or libp2p, got '${transport}'`)
  if (transport === 'libp2p' && peers > MAX_LIBP2P_PEERS) throw new UsageError(`--transport libp2p runs at most ${MAX_LIBP2P_PEERS} peers in one process, got ${peers}; use --transport memory for larger swarms`)
  if (transport === 'libp2p' && (values.latency !== undefined || values.jitter !== undefined)) throw new UsageError('--latency and --jitter shape the memory transport\'s virtual links; over libp2p the links are real (drop them or use --transport memory)')
  const workers = intFlag(values.workers, 'workers', 1, 256)
  if (transport === 'libp2p' && workers !== undefined) throw new UsageError('--workers spreads the memory transport\'s machines over threads; over libp2p each peer is a host (drop it or use --transport memory)')
  if (values.complete === true && values.neighbours !== undefined) throw new UsageError('give either --neighbours K or --complete, not both')
  const neighbours = values.complete === true ? 'complete' : intFlag(values.neighbours, 'neighbours', 2, 65_534)
  if (typeof neighbours === 'number' && neighbours % 2 !== 0) throw new UsageError(`--neighbours must be even (a Harary graph of degree k), got ${neighbours}`)
  const threshold = intFlag(values.threshold, 'threshold', 2, peers - 1)
  const maxCorrupt = intFlag(values['max-corrupt'], 'max-corrupt', 0, peers - 3)
  const inputs = values.inputs === undefined ? undefined : readInputsFile(values.inputs, peers, dim)
  const logDir = values['log-dir']
  let logs: PeerLogDir | undefined
  let progress: ProgressDisplay | undefined
  try {
    const options: SimulationOptions = {
      peers, dim, seed: values.seed ?? '1',
      ...(neighbours !== undefined ? { neighbours } : {}),
      ...(threshold !== undefined ? { threshold } : {}),
      ...(maxCorrupt !== undefined ? { maxCorrupt } : {}),
      ...(inputs !== undefined ? { inputs } : {}),
      dropout: parseDropoutSpec(values.dropout ?? ''),
      dropAggregator: values['drop-aggregator'] === true,
      emitSum: values['emit-sum'] === true,
      ...(values.clip !== undefined ? { clip: numFlag(values.clip, 'clip', 1e-9, 1e12)! } : {}),
      ...(values['expected-dropout'] !== undefined ? { expectedDropout: numFlag(values['expected-dropout'], 'expected-dropout', 0, 0.9)! } : {}),
      ...(values.corrupt !== undefined ? { corruptFraction: numFlag(values.corrupt, 'corrupt', 0, 0.9)! } : {}),
      ...(values.latency !== undefined ? { latencyMs: numFlag(values.latency, 'latency', 0, 1e6)! } : {}),
      ...(values.jitter !== undefined ? { jitterMs: numFlag(values.jitter, 'jitter', 0, 1e6)! } : {}),
      ...(values['stage-timeout'] !== undefined ? { stageTimeouts: parseStageTimeouts(values['stage-timeout'], transport === 'libp2p' ? DEFAULT_LIBP2P_STAGE_MS : 10_000) } : {})
    }
    // Before anything is created or started: refuse what cannot fit, announce what is long.
    const stageMs = transport === 'libp2p' ? DEFAULT_LIBP2P_STAGE_MS : 10_000
    // Without --workers, threads only where their extra memory fits (a one-thread run otherwise).
    const threads = transport === 'memory' ? workers ?? chooseWorkers(options, stageMs, limits, defaultWorkers(peers)) : 1
    const cost = preflight(options, transport, stageMs, limits, values.force === true, threads)
    progress = progressDisplay(io, { quiet: values.quiet === true, env: process.env })
    const announce = estimateLine(cost)
    if (announce !== undefined && values.quiet !== true) io.stderr(announce)
    if (logDir !== undefined) {
      preparePeerLogDir(logDir)
      // Memory: the virtual clock from now on; libp2p: the machines' clock is the wall clock.
      logs = new PeerLogDir(logDir, Array.from({ length: peers }, (_, i) => peerName(i)), transport === 'libp2p' ? () => new Date() : virtualFrom(Date.now()))
    }
    const watch = { progress, ...observer, ...(logs !== undefined ? { log: logs.log } : {}) }
    const report = transport === 'memory'
      ? (await runSimulationParallel(options, watch, { workers: threads })).report
      : await runOverLibp2p(options, watch, logs)
    progress.end()
    logs?.close()
    logs = undefined
    io.stdout(summarize(report))
    if (values.out !== undefined) writeFileSync(values.out, JSON.stringify(report, null, 2) + '\n')
    return 0
  } catch (err) {
    if (isErrorNamed(err, 'ProtocolConfigError', 'OverflowRiskError', 'DropoutSpecError', 'LogDirError')) throw new UsageError(err.message)
    throw err
  } finally {
    progress?.end()
    logs?.close(false) // a failed run still leaves what its peers logged
  }
}
