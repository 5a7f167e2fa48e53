/**
 * The in-memory swarm: N participants (one of which also runs the aggregator) over simulated
 * links with a virtual clock, per-link latency and a dropout schedule, all drawn from one
 * seed, so a run is exactly reproducible. It drives the same state machines as the libp2p node.
 */
import { randomInt, seededRandom } from './sim-deps.ts'
import { drainMachine } from '../protocol/index.ts'
import type { ProtocolEvent, SansIoMachine } from '../protocol/index.ts'
import { EventQueue } from './event-queue.ts'
import { buildReport, prepareScenario } from './scenario.ts'
import type { Observations, Scenario, SimulationObserver, SimulationOptions, SimulationReport, SimulationTrace } from './scenario.ts'
import { logDropout, logRoundStart, logSessionEvent } from './peer-log.ts'
import { StageProgress } from './progress.ts'
import { SentSummaries } from './sent-summary.ts'

export { peerName, resolveGraph } from './scenario.ts'
export type { AggregatorCall, SimulationInputs, SimulationObserver, SimulationOptions, SimulationReport, SimulationTrace } from './scenario.ts'

interface QueuedEvent { time: number, seq: number, kind: 'deliver' | 'timeout', target: number, toAggregator: boolean, from: string, data?: Uint8Array }

export function runSimulation (options: SimulationOptions, observer: SimulationObserver = {}): { report: SimulationReport, trace: SimulationTrace } {
  const wallStart = performance.now()
  const { log, sent, random, progress } = observer
  progress?.stage('setup', options.peers, 'peers')
  const s = prepareScenario(options)
  const { ids, aggregatorIndex } = s
  const n = s.peers
  const participants = ids.map((_, i) => {
    const p = s.participant(i, random?.(i, s.participantRandom(i)))
    progress?.advance(i + 1)
    return p
  })
  const stages = progress !== undefined ? new StageProgress(progress, s) : undefined
  const aggregator = s.aggregator()
  const latency = options.latencyMs ?? 5
  const jitter = options.jitterMs ?? 5
  const linkRng = seededRandom(`links/${s.seed}`)
  const queue = new EventQueue<QueuedEvent>()
  let seq = 0
  const scheduledTimeout = new Map<SansIoMachine, number>()
  const bytesSent = new Array<number>(n).fill(0)
  const offline = new Set<number>()
  const releasedKinds = new Map<number, Set<'self-mask' | 'masking'>>()
  const events: Array<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }> = []
  const summaries = new SentSummaries({ maxPeers: n, vectorWords: s.dim + 1 }, s.indexOf)

  const drain = (machine: SansIoMachine, peer: number, role: 'participant' | 'aggregator', now: number): void => {
    drainMachine(machine, { event: (ev) => {
      events.push({ peer, role, event: ev })
      if (log !== undefined) logSessionEvent(log, s, peer, role, ev, now)
      if (role === 'aggregator') stages?.aggregatorEvent(ev)
    }, send: (out) => {
      sent?.(peer, out.to, out.data)
      const summary = summaries.of(out.data)
      const kind = summary.kind
      if (offline.has(peer) || s.isDropping(peer, kind)) {
        if (!offline.has(peer) && log !== undefined) logDropout(log, s, peer, s.dropouts.get(peer)!, now)
        offline.add(peer)
        return
      }
      if (role === 'participant') stages?.participantSent(kind)
      for (const code of summary.released ?? []) {
        const owner = code >> 1
        if (!releasedKinds.has(owner)) releasedKinds.set(owner, new Set())
        releasedKinds.get(owner)!.add((code & 1) === 1 ? 'self-mask' : 'masking')
      }
      const target = role === 'participant' ? aggregatorIndex : s.indexOf.get(out.to)!
      const local = target === peer
      if (!local) bytesSent[peer]! += out.data.length
      const delay = local ? 0 : latency + (jitter > 0 ? randomInt(linkRng, jitter * 1000 + 1) / 1000 : 0)
      queue.push({ time: now + delay, seq: seq++, kind: 'deliver', target, toAggregator: role === 'participant', from: ids[peer]!, data: out.data })
    } })
    const deadline = machine.pollTimeout()
    if (deadline !== undefined && scheduledTimeout.get(machine) !== deadline) {
      scheduledTimeout.set(machine, deadline)
      queue.push({ time: deadline, seq: seq++, kind: 'timeout', target: peer, toAggregator: role === 'aggregator', from: '' })
    }
  }

  // CPU time inside each machine (its own work; the simulator's queue and decoding excluded).
  const participantCpu = new Float64Array(n)
  let aggregatorCpu = 0
  const timed = (toAggregator: boolean, peer: number, work: () => void): void => {
    const start = performance.now()
    work()
    const spent = performance.now() - start
    if (toAggregator) aggregatorCpu += spent
    else participantCpu[peer]! += spent
  }

  if (log !== undefined) ids.forEach((_, i) => logRoundStart(log, s, i, 0))
  observer.aggregatorCall?.({ kind: 'start', now: 0 })
  timed(true, aggregatorIndex, () => aggregator.start(0))
  drain(aggregator, aggregatorIndex, 'aggregator', 0)
  participants.forEach((p, i) => {
    const input = s.inputOf(i) // drawn outside the timed step: the member's machine is given it
    timed(false, i, () => { p.setInput(input, s.weights[i]!, 0, s.noiseOf(i)); p.start(0) })
    drain(p, i, 'participant', 0)
  })
  for (let ev = queue.pop(); ev !== undefined; ev = queue.pop()) {
    const machine: SansIoMachine = ev.toAggregator ? aggregator : participants[ev.target]!
    if (ev.kind === 'timeout') {
      if (machine.pollTimeout() === ev.time) {
        if (ev.toAggregator) observer.aggregatorCall?.({ kind: 'timeout', now: ev.time })
        timed(ev.toAggregator, ev.target, () => machine.handleTimeout(ev.time))
      }
    } else {
      if (offline.has(ev.target) && !(ev.toAggregator && ev.target === aggregatorIndex && !offline.has(aggregatorIndex))) continue
      if (ev.toAggregator) observer.aggregatorCall?.({ kind: 'receive', from: ev.from, data: ev.data!, now: ev.time })
      timed(ev.toAggregator, ev.target, () => machine.receive(ev.from, ev.data!, ev.time))
    }
    drain(machine, ev.target, ev.toAggregator ? 'aggregator' : 'participant', ev.time)
  }
  progress?.stage('report', 0) // the plaintext check: n × dim multiply-adds
  const clippedCoordinates = participants.reduce((sum, p) => sum + p.clippedCoordinates, 0)
  const report = memoryReport(s, options, { events, offline, bytesSent, clippedCoordinates, wallStart, participantCpu, aggregatorCpu })
  return { report, trace: { releasedKinds, events } }
}

/** What the sequential and the parallel simulators saw, turned into the report. */
export interface MemoryObservations extends Pick<Observations, 'events' | 'offline' | 'bytesSent' | 'clippedCoordinates'> {
  readonly wallStart: number
  readonly participantCpu: Float64Array
  readonly aggregatorCpu: number
}

export function memoryReport (s: Scenario, options: SimulationOptions, seen: MemoryObservations): SimulationReport {
  const { participantCpu } = seen
  const others = [...participantCpu].filter((_, i) => i !== s.aggregatorIndex && !s.dropouts.has(i))
  return buildReport(s, {
    events: seen.events, offline: seen.offline, bytesSent: seen.bytesSent, clippedCoordinates: seen.clippedCoordinates,
    wallMs: Math.round(performance.now() - seen.wallStart),
    cpuMs: {
      aggregator: Math.round(seen.aggregatorCpu),
      participantMean: Math.round(10 * others.reduce((a, b) => a + b, 0) / Math.max(1, others.length)) / 10,
      participantMax: Math.round(10 * Math.max(0, ...others)) / 10,
      participantTotal: Math.round(participantCpu.reduce((a, b) => a + b, 0))
    }
  }, options.emitSum === true, 'memory')
}
