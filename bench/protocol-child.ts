/**
 * Measurements that need a fresh process (peak RSS): run by bench/protocol.ts as
 * `node --import tsx --expose-gc bench/protocol-child.ts <mode> ...`, prints one JSON line.
 */
import { defaultWorkers, runSimulationParallel } from '../src/sim/parallel-swarm.ts'
import { runSimulation } from '../src/sim/memory-swarm.ts'
import type { AggregatorCall, SimulationOptions } from '../src/sim/memory-swarm.ts'
import { replayAggregator } from '../src/sim/aggregator-replay.ts'
import { prepareScenario } from '../src/sim/scenario.ts'
import { readFileSync } from 'node:fs'
import { decodeAggregatorCalls, encodeAggregatorCalls } from './aggregator-calls.ts'
import { benchSession, runUntilAggregatorStage } from './session-driver.ts'

const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {})
const maxRssBytes = (): number => process.resourceUsage().maxRSS * 1024

function maskMemory (dim: number, neighbours: number): object {
  // k = 16 neighbours: a complete graph on 17 members.
  const s = benchSession(neighbours + 1, dim, 'memory')
  runUntilAggregatorStage(s, 'masked')
  gc()
  const before = process.memoryUsage().rss
  const input = new Float32Array(dim)
  for (let i = 0; i < dim; i++) input[i] = Math.sin(i) // no temporary: only the input itself
  s.participants[1]!.setInput(input, 1, s.now)
  const out = s.participants[1]!.pollOutbound()
  if (out === undefined) throw new Error('no masked input was produced')
  return { inputBytes: input.byteLength, messageBytes: out.data.length, rssBefore: before, peakRss: maxRssBytes() }
}

/** The scale runs' round: M = 1,000, SecAgg+, `dropout` of the members dropped before MaskedInput. */
function scaleOptions (peers: number, dropout: number): SimulationOptions {
  return { peers, dim: 1000, dropout: new Map([['masked', dropout]]), seed: '3' }
}

/** SCALE_WORKERS=1 runs the sequential simulator (the default: the CLI's, every core from 200 peers up). */
async function scaleRun (peers: number, dropout: number): Promise<object> {
  const workers = process.env.SCALE_WORKERS !== undefined ? Number(process.env.SCALE_WORKERS) : defaultWorkers(peers)
  const { report } = await runSimulationParallel(scaleOptions(peers, dropout), {}, { workers })
  return {
    workers,
    wallMs: report.wallMs,
    aggregatorCpuMs: report.cpuMs?.aggregator,
    participantCpuMs: report.cpuMs?.participantMean,
    peakRss: maxRssBytes(),
    neighbours: report.neighbours,
    threshold: report.threshold,
    included: report.included.length,
    aborted: report.aborted,
    maxAbsError: report.maxAbsError,
    aggregatorBytes: report.bytesSent[report.aggregator],
    participantBytes: report.bytesSent.filter((_, i) => i !== report.aggregator).reduce((a, b) => a + b, 0) / (report.peers - 1)
  }
}

/** Runs the scale round on one thread; its aggregator's steps go to stdout as bytes. */
function aggregatorRecord (peers: number, dropout: number): void {
  const calls: AggregatorCall[] = []
  const { report } = runSimulation(scaleOptions(peers, dropout), { aggregatorCall: (c) => calls.push(c) })
  if (report.aborted) throw new Error(`the recorded round aborted: ${report.reason}`)
  process.stdout.write(encodeAggregatorCalls({ included: report.included.length, calls }))
}

/** Gives the recorded steps (stdin) to a fresh aggregator in this fresh process: its own work, timed. */
function aggregatorReplay (peers: number, dropout: number): object {
  const recorded = decodeAggregatorCalls(readFileSync(0))
  const aggregator = prepareScenario(scaleOptions(peers, dropout)).aggregator()
  gc()
  const start = performance.now()
  const events = replayAggregator(aggregator, recorded.calls)
  const aggregatorMs = performance.now() - start
  const result = events.find((e) => e.type === 'result')
  // A replay that went elsewhere would time other work: it must end where the run ended.
  if (result?.type !== 'result' || result.result.included.length !== recorded.included) {
    throw new Error(`the replayed aggregator ended with ${result?.type === 'result' ? `${result.result.included.length} members included` : 'no result'}, the recorded run with ${recorded.included}`)
  }
  return { aggregatorMs, included: recorded.included }
}

const [mode, ...args] = process.argv.slice(2)
if (mode === 'mask-memory') console.log(JSON.stringify(maskMemory(Number(args[0]), Number(args[1]))))
else if (mode === 'scale') console.log(JSON.stringify(await scaleRun(Number(args[0]), Number(args[1]))))
else if (mode === 'aggregator-record') aggregatorRecord(Number(args[0]), Number(args[1]))
else if (mode === 'aggregator-replay') console.log(JSON.stringify(aggregatorReplay(Number(args[0]), Number(args[1]))))
else { console.error(`unknown mode ${mode}`); process.exit(2) }
