/**
 * The in-memory swarm on several cores, with the same report as runSimulation (memory-swarm.ts)
 * for the same options: the participants' state machines run in worker threads, the
 * aggregator and its own participant on the main thread.
 *
 * Time advances in conservative windows (Chandy–Misra–Bryant conservative parallel discrete
 * event simulation; the lookahead is the minimum link latency). Every message between two
 * peers takes at least `latencyMs` virtual ms — only the aggregator and the participant on its
 * own node talk with no delay, and both live on the main thread — so when the earliest queued
 * event is at T, nothing a machine does in [T, T + latency) can reach another machine before
 * T + latency. Each worker therefore steps all of its machines' events of the window, in
 * (time, seq) order per machine, at once and alongside the other workers. What the steps did
 * is written down (machine-host.ts) and the main thread then replays the records in the global
 * (time, seq) order — the order of the sequential loop — drawing the link jitter, numbering
 * the queued events, scheduling deadlines, counting bytes, logging and reporting progress
 * exactly as runSimulation does. The random draws and sequence numbers are therefore the
 * sequential run's, and so is everything that depends on them.
 *
 * Falls back to runSimulation where windows are unsafe (latency 0) or an observer cannot
 * cross threads (`random`, which replaces the machines' randomness, `sent`, which sees
 * every message before the dropout schedule, and `aggregatorCall`, which records the
 * aggregator's steps in the sequential run's order).
 */
import { availableParallelism } from 'node:os'
import { Worker } from 'node:worker_threads'
import { randomInt, seededRandom } from './sim-deps.ts'
import type { RandomSource } from './sim-deps.ts'
import type { ProtocolEvent } from '../protocol/index.ts'
import { EventQueue } from './event-queue.ts'
import { deliverySkipped, MachineHost, machineKey } from './machine-host.ts'
import type { QueuedEvent, StepRecord } from './machine-host.ts'
import { memoryReport, runSimulation } from './memory-swarm.ts'
import { openDraws, ownBytes, shareDraws } from './parallel-wire.ts'
import type { FromWorker, ToWorker, WorkerSetup } from './parallel-wire.ts'
import { logDropout, logRoundStart, logSessionEvent } from './peer-log.ts'
import { StageProgress } from './progress.ts'
import { drawScenario, prepareScenario } from './scenario.ts'
import type { Scenario, SimulationObserver, SimulationOptions, SimulationReport, SimulationTrace } from './scenario.ts'

/** A worker failed, or the records of the threads disagree with the run (a simulator bug, never a protocol outcome). */
export class ParallelSimulationError extends Error {
  static override name = 'ParallelSimulationError'
  override name = 'ParallelSimulationError'
}

export interface ParallelOptions {
  /** Worker threads for the participants; 1 (or less) runs the sequential simulator. */
  readonly workers?: number
}

/**
 * From this many peers up the threads pay for themselves: each worker first loads the sources
 * and rebuilds the scenario (about a second), and every window costs a round trip.
 */
export const PARALLEL_MIN_PEERS = 200

/** The worker count a run of `peers` gets by default: every core for a large run, else one thread. */
export function defaultWorkers (peers: number): number {
  return peers >= PARALLEL_MIN_PEERS ? availableParallelism() : 1
}

const WORKER_URL = new URL('./memory-swarm-worker.ts', import.meta.url)

/**
 * The sources are TypeScript run through tsx. A worker thread gets neither the loader hooks the
 * main thread registered (bin/secagg.js registers tsx through its API) nor, with an explicit
 * execArgv, the parent's flags (which may be `-e …`); so each worker loads tsx itself, by
 * absolute URL so it resolves wherever the command was started.
 */
function startWorker (setup: WorkerSetup): Worker {
  return new Worker(WORKER_URL, { workerData: setup, execArgv: ['--import', import.meta.resolve('tsx')] })
}

/** The workers, each answering requests in order; any failure rejects every waiting request. */
class WorkerPool {
  private readonly workers: Worker[]
  private readonly waiting: Array<Array<{ resolve: (m: FromWorker) => void, reject: (e: Error) => void }>>
  private failure: Error | undefined
  private closing = false

  constructor (setups: readonly WorkerSetup[], built: (worker: number, count: number) => void) {
    this.waiting = setups.map(() => [])
    this.workers = setups.map((setup, w) => {
      const worker = startWorker(setup)
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'built') built(w, m.count)
        else this.waiting[w]!.shift()?.resolve(m)
      })
      worker.on('error', (err) => this.fail(err instanceof Error ? err : new ParallelSimulationError(String(err))))
      worker.on('messageerror', (err) => this.fail(err))
      worker.on('exit', (code) => { if (!this.closing) this.fail(new ParallelSimulationError(`simulator worker ${w} exited (code ${code})`)) })
      return worker
    })
  }

  get size (): number { return this.workers.length }

  /** The worker's next answer, after posting `message` (none: its start-up records). */
  request (w: number, message?: ToWorker): Promise<FromWorker> {
    if (this.failure !== undefined) return Promise.reject(this.failure)
    return new Promise((resolve, reject) => {
      this.waiting[w]!.push({ resolve, reject })
      if (message !== undefined) this.workers[w]!.postMessage(message)
    })
  }

  async close (): Promise<void> {
    this.closing = true
    await Promise.all(this.workers.map((w) => w.terminate()))
  }

  private fail (err: Error): void {
    this.failure ??= err
    for (const queue of this.waiting) for (const waiter of queue.splice(0)) waiter.reject(err)
  }
}

/**
 * The main thread's half of the sequential loop's drain: everything a step causes outside its
 * machine, applied in the global order (memory-swarm.ts does the same inline).
 */
class Replay {
  readonly queue = new EventQueue<QueuedEvent>()
  seq = 0
  readonly offline = new Set<number>()
  readonly bytesSent: number[]
  readonly releasedKinds = new Map<number, Set<'self-mask' | 'masking'>>()
  readonly events: Array<{ peer: number, role: 'participant' | 'aggregator', event: ProtocolEvent }> = []
  readonly participantCpu: Float64Array
  aggregatorCpu = 0
  private readonly linkRng: RandomSource
  private readonly scheduled = new Map<number, number>()
  /** Each machine's deadline after its last step: what its pollTimeout() returns now. */
  private readonly deadline = new Map<number, number | undefined>()
  private readonly stages: StageProgress | undefined

  constructor (private readonly s: Scenario, private readonly options: SimulationOptions, private readonly observer: SimulationObserver) {
    this.linkRng = seededRandom(`links/${s.seed}`)
    this.bytesSent = new Array<number>(s.peers).fill(0)
    this.participantCpu = new Float64Array(s.peers)
    this.stages = observer.progress !== undefined ? new StageProgress(observer.progress, s) : undefined
  }

  /** Whether the sequential loop would pass over `ev` (a stale deadline, a silenced target) without stepping its machine. */
  passesOver (ev: QueuedEvent): boolean {
    if (ev.kind === 'timeout') return this.deadline.get(machineKey(this.s, ev.target, ev.toAggregator)) !== ev.time
    return deliverySkipped(this.offline, ev, this.s.aggregatorIndex)
  }

  apply (record: StepRecord): void {
    const { s } = this
    const { log } = this.observer
    const { peer, time: now } = record
    const role = record.aggregator ? 'aggregator' : 'participant'
    if (record.aggregator) this.aggregatorCpu += record.cpuMs
    else this.participantCpu[peer]! += record.cpuMs
    for (const event of record.events) {
      this.events.push({ peer, role, event })
      if (log !== undefined) logSessionEvent(log, s, peer, role, event, now)
      if (record.aggregator) this.stages?.aggregatorEvent(event)
    }
    for (const send of record.sends) {
      if (this.offline.has(peer) || s.isDropping(peer, send.kind)) {
        if (send.data !== undefined) throw new ParallelSimulationError(`peer ${peer}'s ${send.kind} at ${now}: the main thread silences it, its host did not`)
        if (!this.offline.has(peer) && log !== undefined) logDropout(log, s, peer, s.dropouts.get(peer)!, now)
        this.offline.add(peer)
        continue
      }
      if (send.data === undefined) throw new ParallelSimulationError(`peer ${peer}'s ${send.kind} at ${now}: its host silenced it, the main thread does not`)
      if (!record.aggregator) this.stages?.participantSent(send.kind)
      for (const code of send.released ?? []) {
        const owner = code >> 1
        if (!this.releasedKinds.has(owner)) this.releasedKinds.set(owner, new Set())
        this.releasedKinds.get(owner)!.add((code & 1) === 1 ? 'self-mask' : 'masking')
      }
      const target = record.aggregator ? s.indexOf.get(send.to)! : s.aggregatorIndex
      const local = target === peer
      if (!local) this.bytesSent[peer]! += send.data.length
      const jitter = this.options.jitterMs ?? 5
      const delay = local ? 0 : (this.options.latencyMs ?? 5) + (jitter > 0 ? randomInt(this.linkRng, jitter * 1000 + 1) / 1000 : 0)
      this.queue.push({ time: now + delay, seq: this.seq++, kind: 'deliver', target, toAggregator: !record.aggregator, from: s.ids[peer]!, data: send.data })
    }
    const key = machineKey(s, peer, record.aggregator)
    this.deadline.set(key, record.deadline)
    if (record.deadline !== undefined && this.scheduled.get(key) !== record.deadline) {
      this.scheduled.set(key, record.deadline)
      this.queue.push({ time: record.deadline, seq: this.seq++, kind: 'timeout', target: peer, toAggregator: record.aggregator, from: '' })
    }
  }
}

/** A worker's records of one batch, taken in the order the replay reaches their events. */
class RecordCursor {
  private records: readonly StepRecord[] = []
  private next = 0

  reset (records: readonly StepRecord[]): void {
    if (this.next < this.records.length) throw new ParallelSimulationError(`${this.records.length - this.next} step records were never replayed`)
    this.records = records
    this.next = 0
  }

  take (peer: number, time: number): StepRecord {
    const record = this.records[this.next++]
    if (record === undefined || record.peer !== peer || record.aggregator || record.time !== time) {
      throw new ParallelSimulationError(`the replay reached peer ${peer} at ${time}, its worker stepped ${record === undefined ? 'nothing more' : `peer ${record.peer} at ${record.time}`}`)
    }
    return record
  }
}

function recordsOf (message: FromWorker): readonly StepRecord[] {
  if (message.type !== 'records') throw new ParallelSimulationError(`a worker answered '${message.type}' where step records were due`)
  return message.records
}

export async function runSimulationParallel (options: SimulationOptions, observer: SimulationObserver = {}, parallel: ParallelOptions = {}): Promise<{ report: SimulationReport, trace: SimulationTrace }> {
  const wallStart = performance.now()
  const workers = Math.min(parallel.workers ?? 1, options.peers - 1)
  const latency = options.latencyMs ?? 5
  if (!(workers > 1) || !(latency > 0) || observer.random !== undefined || observer.sent !== undefined || observer.aggregatorCall !== undefined) return runSimulation(options, observer)
  let shared: ReturnType<typeof shareDraws>
  try {
    shared = shareDraws(drawScenario(options), options.peers, options.dim)
  } catch {
    shared = undefined
  }
  // Options the sequential simulator refuses are refused by it, with its error.
  if (shared === undefined) return runSimulation(options, observer)
  const { progress, log } = observer
  progress?.stage('setup', options.peers, 'peers')
  const n = options.peers
  const s = prepareScenario(options, undefined, openDraws(shared, n, options.dim))
  const agg = s.aggregatorIndex
  // The aggregator's node first, here: a session config the protocol refuses throws now, with
  // runSimulation's error, before any worker starts.
  const local = new MachineHost(s, [agg], true)
  // Round-robin over the other members: every worker gets a share of every stage's work.
  const owner = new Int32Array(n).fill(-1)
  const assigned: number[][] = Array.from({ length: workers }, () => [])
  for (let i = 0, j = 0; i < n; i++) {
    if (i === agg) continue
    owner[i] = j % workers
    assigned[j++ % workers]!.push(i)
  }
  const workerOptions = withoutInputs(options)
  const built = new Array<number>(workers).fill(0)
  const pool = new WorkerPool(assigned.map((peers) => ({ ...shared, options: workerOptions, peers })), (w, count) => {
    built[w] = count
    progress?.advance(1 + built.reduce((a, b) => a + b, 0))
  })
  try {
    const replay = new Replay(s, options, observer)
    const cursors = assigned.map(() => new RecordCursor())
    const started = await Promise.all(cursors.map((_, w) => pool.request(w)))
    started.forEach((m, w) => cursors[w]!.reset(recordsOf(m)))
    progress?.advance(n)
    if (log !== undefined) s.ids.forEach((_, i) => logRoundStart(log, s, i, 0))
    replay.apply(local.startAggregator())
    for (let i = 0; i < n; i++) replay.apply(i === agg ? local.startParticipant(i) : cursors[owner[i]!]!.take(i, 0))
    for (let first = replay.queue.peek(); first !== undefined; first = replay.queue.peek()) {
      const end = first.time + latency
      // The window's events go to their workers and back onto the queue, for the replay.
      const window: QueuedEvent[] = []
      for (let ev = replay.queue.peek(); ev !== undefined && ev.time < end; ev = replay.queue.peek()) window.push(replay.queue.pop()!)
      const batches: QueuedEvent[][] = assigned.map(() => [])
      // One copy per distinct message: a broadcast referenced by many events of one batch is cloned once.
      const copies = new Map<Uint8Array, Uint8Array>()
      for (const ev of window) {
        replay.queue.push(ev)
        // A silenced member stays silenced: its deliveries would be passed over.
        if (ev.toAggregator || ev.target === agg || (ev.kind === 'deliver' && replay.offline.has(ev.target))) continue
        let data = ev.data
        if (data !== undefined) {
          let copy = copies.get(data)
          if (copy === undefined) { copy = ownBytes(data); copies.set(data, copy) }
          data = copy
        }
        batches[owner[ev.target]!]!.push(data === undefined ? ev : { ...ev, data })
      }
      const active = batches.flatMap((batch, w) => (batch.length > 0 ? [w] : []))
      if (active.length > 0) {
        const answers = await Promise.all(active.map((w) => pool.request(w, { type: 'window', events: batches[w]!, end, nextSeq: replay.seq })))
        answers.forEach((m, j) => cursors[active[j]!]!.reset(recordsOf(m)))
      }
      for (let ev = replay.queue.peek(); ev !== undefined && ev.time < end; ev = replay.queue.peek()) {
        replay.queue.pop()
        if (ev.toAggregator || ev.target === agg) {
          const record = local.step(ev)
          if (record !== undefined) replay.apply(record)
        } else if (!replay.passesOver(ev)) {
          replay.apply(cursors[owner[ev.target]!]!.take(ev.target, ev.time))
        }
      }
    }
    for (const cursor of cursors) cursor.reset([])
    let clippedCoordinates = local.clippedCoordinates
    for (const m of await Promise.all(cursors.map((_, w) => pool.request(w, { type: 'finish' })))) {
      if (m.type !== 'finished') throw new ParallelSimulationError(`a worker answered '${m.type}' to finish`)
      clippedCoordinates += m.clippedCoordinates
    }
    progress?.stage('report', 0) // the plaintext check: n × dim multiply-adds
    const { events, offline, bytesSent, participantCpu, aggregatorCpu, releasedKinds } = replay
    const report = memoryReport(s, options, { events, offline, bytesSent, clippedCoordinates, wallStart, participantCpu, aggregatorCpu })
    return { report, trace: { releasedKinds, events } }
  } finally {
    await pool.close()
  }
}

/** The options a worker needs: the inputs travel separately, in shared memory. */
function withoutInputs (options: SimulationOptions): SimulationOptions {
  const copy: { -readonly [K in keyof SimulationOptions]: SimulationOptions[K] } = { ...options }
  delete copy.inputs
  return copy
}
