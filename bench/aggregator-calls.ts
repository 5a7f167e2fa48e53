/**
 * The aggregator's recorded steps (SimulationObserver.aggregatorCall) as bytes, so a fresh
 * process can replay them: first the number of members the recorded run included (the replay
 * must reach the same), then per call a kind byte (0 start, 1 receive, 2 timeout) and the
 * virtual time as a float64, and for a receive the sender's id and the message, each
 * length-prefixed, the message padded to start on a 4-byte boundary so that its vector
 * decodes as a view, as in the simulation, not as a copy. They go from process to process
 * through pipes, never to disk: the messages include the simulated members' revealed shares.
 */
import type { AggregatorCall } from '../src/sim/memory-swarm.ts'

const KINDS = ['start', 'receive', 'timeout'] as const

export interface RecordedRound {
  /** Members in the recorded run's result. */
  readonly included: number
  readonly calls: readonly AggregatorCall[]
}

const padTo4 = (offset: number): number => (4 - (offset % 4)) % 4

export function encodeAggregatorCalls (round: RecordedRound): Buffer {
  const parts: Uint8Array[] = []
  const header = Buffer.alloc(4)
  header.writeUInt32LE(round.included, 0)
  parts.push(header)
  let length = header.length
  const push = (part: Uint8Array): void => { parts.push(part); length += part.length }
  for (const call of round.calls) {
    const head = Buffer.alloc(9)
    head.writeUInt8(KINDS.indexOf(call.kind), 0)
    head.writeDoubleLE(call.now, 1)
    push(head)
    if (call.kind !== 'receive') continue
    const from = Buffer.from(call.from, 'utf8')
    const lengths = Buffer.alloc(6)
    lengths.writeUInt16LE(from.length, 0)
    lengths.writeUInt32LE(call.data.length, 2)
    push(lengths)
    push(from)
    push(Buffer.alloc(padTo4(length)))
    push(call.data)
  }
  return Buffer.concat(parts, length)
}

export class RecordedCallsError extends Error {
  override readonly name = 'RecordedCallsError'
}

export function decodeAggregatorCalls (input: Uint8Array): RecordedRound {
  // Offsets are padded relative to the start: an input that does not start on a 4-byte
  // boundary is copied to one that does.
  const bytes = input.byteOffset % 4 === 0 ? Buffer.from(input.buffer, input.byteOffset, input.byteLength) : Buffer.from(new Uint8Array(input))
  const need = (at: number, n: number, what: string): void => {
    if (at + n > bytes.length) throw new RecordedCallsError(`recorded aggregator calls end inside ${what} (byte ${at} of ${bytes.length}): the recording child was cut short`)
  }
  need(0, 4, 'the header')
  const included = bytes.readUInt32LE(0)
  const calls: AggregatorCall[] = []
  for (let at = 4; at < bytes.length;) {
    need(at, 9, `call ${calls.length}`)
    const kind = KINDS[bytes.readUInt8(at)]
    const now = bytes.readDoubleLE(at + 1)
    at += 9
    if (kind === 'start' || kind === 'timeout') { calls.push({ kind, now }); continue }
    if (kind !== 'receive') throw new RecordedCallsError(`recorded aggregator calls: unknown kind ${bytes.readUInt8(at - 9)} in call ${calls.length}`)
    need(at, 6, `call ${calls.length}`)
    const fromLength = bytes.readUInt16LE(at)
    const dataLength = bytes.readUInt32LE(at + 2)
    at += 6
    need(at, fromLength, `call ${calls.length}'s sender`)
    const from = bytes.toString('utf8', at, at + fromLength)
    at += fromLength
    at += padTo4(at)
    need(at, dataLength, `call ${calls.length}'s message`)
    calls.push({ kind, from, data: new Uint8Array(bytes.buffer, bytes.byteOffset + at, dataLength), now })
    at += dataLength
  }
  return { included, calls }
}
