/**
 * What the parallel simulator's main thread and its workers (memory-swarm-worker.ts) tell
 * each other: the scenario's draws once (given inputs in shared memory), then one batch of
 * queued events per window and the step records back.
 */
import type { Stage } from '../protocol/index.ts'
import type { QueuedEvent, StepRecord } from './machine-host.ts'
import type { ScenarioDraws, SimulationOptions } from './scenario.ts'

export interface WorkerSetup {
  /** The run's options without `inputs` (given inputs come as `vectors`, `noise`, `weights`). */
  readonly options: SimulationOptions
  /** peers × dim float64, row-major: every given input, one copy for all threads; absent when drawn from the seed. */
  readonly vectors?: SharedArrayBuffer
  /** peers × dim int32: the DP noise shares, when the inputs carry them. */
  readonly noise?: SharedArrayBuffer
  readonly weights?: readonly number[]
  readonly dropouts: ReadonlyArray<readonly [number, Stage]>
  /** The participants this worker hosts, in index order. */
  readonly peers: readonly number[]
}

export type ToWorker =
  | { readonly type: 'window', readonly events: readonly QueuedEvent[], readonly end: number, readonly nextSeq: number }
  | { readonly type: 'finish' }

export type FromWorker =
  | { readonly type: 'built', readonly count: number }
  | { readonly type: 'records', readonly records: readonly StepRecord[] }
  | { readonly type: 'finished', readonly clippedCoordinates: number }

/**
 * The draws in shared memory, or undefined when they do not have the shape of a run
 * (a vector of the wrong length, say): the sequential simulator then runs and reports it.
 * Inputs drawn from the seed are not shared: each thread draws a member's input when it runs it.
 */
export function shareDraws (draws: ScenarioDraws, peers: number, dim: number): Omit<WorkerSetup, 'options' | 'peers'> | undefined {
  const dropouts = [...draws.dropouts]
  if (draws.inputs === undefined) return { dropouts }
  const { vectors, noise, weights } = draws.inputs
  if (vectors.length !== peers || vectors.some((v) => v.length !== dim)) return undefined
  if (noise !== undefined && (noise.length !== peers || noise.some((v) => v.length !== dim))) return undefined
  const sharedVectors = new SharedArrayBuffer(peers * dim * 8)
  vectors.forEach((v, i) => new Float64Array(sharedVectors, i * dim * 8, dim).set(v))
  let sharedNoise: SharedArrayBuffer | undefined
  if (noise !== undefined) {
    sharedNoise = new SharedArrayBuffer(peers * dim * 4)
    noise.forEach((v, i) => new Int32Array(sharedNoise!, i * dim * 4, dim).set(v))
  }
  return {
    vectors: sharedVectors,
    ...(sharedNoise !== undefined ? { noise: sharedNoise } : {}),
    ...(weights !== undefined ? { weights } : {}),
    dropouts
  }
}

/** The draws as views of the shared memory (no copy). */
export function openDraws (setup: Omit<WorkerSetup, 'options' | 'peers'>, peers: number, dim: number): ScenarioDraws {
  const dropouts = new Map(setup.dropouts)
  if (setup.vectors === undefined) return { dropouts }
  const vectors = Array.from({ length: peers }, (_, i) => new Float64Array(setup.vectors!, i * dim * 8, dim))
  const noise = setup.noise === undefined ? undefined : Array.from({ length: peers }, (_, i) => new Int32Array(setup.noise!, i * dim * 4, dim))
  return {
    inputs: { vectors, ...(noise !== undefined ? { noise } : {}), ...(setup.weights !== undefined ? { weights: setup.weights } : {}) },
    dropouts
  }
}

/** Whether posting `data` copies exactly its bytes: structured clone copies a view's whole underlying buffer (a pool, a larger frame). */
function ownsBuffer (data: Uint8Array): boolean {
  return data.byteOffset === 0 && data.byteLength === data.buffer.byteLength && !(data.buffer instanceof SharedArrayBuffer)
}

/** A message's bytes as a buffer of their own (a copy only where needed; `new Uint8Array` copies, a Buffer's slice would not). */
export function ownBytes (data: Uint8Array): Uint8Array {
  return ownsBuffer(data) ? data : new Uint8Array(data)
}

/** A step record whose message bytes can be posted without dragging larger buffers along. */
export function postableRecord (record: StepRecord): StepRecord {
  if (record.sends.every((send) => send.data === undefined || ownsBuffer(send.data))) return record
  return { ...record, sends: record.sends.map((send) => (send.data === undefined ? send : { ...send, data: ownBytes(send.data) })) }
}
